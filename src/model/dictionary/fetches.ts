/**
 * The names of HAProxy's sample fetch functions, converters, ACL-only keywords and
 * predefined ACLs, mirroring HAProxy 2.6+'s sets (up to the 3.x series), including those of
 * optional modules (TLS, QUIC, device detection). Names only, without their arguments:
 * `req.hdr` for `req.hdr(host,1)`, `map_str` for `map_str(file.map)`.
 *
 * Lua registers fetches and converters at run time as `lua.<name>`: any name with the `lua.`
 * prefix may be known to HAProxy.
 */

/** Splits a whitespace-separated block into names; keeps the long tables readable. */
function words(block: string): string[] {
  return block.split(/\s+/).filter((w) => w !== '')
}

/** The per-key stick-table counters, read through `sc0_…`, `sc1_…`, `sc2_…` and `sc_…`. */
const trackedCounters = words(`
  bytes_in_rate bytes_out_rate clr_gpc0 clr_gpc1 conn_cnt conn_cur conn_rate
  get_gpc0 get_gpc1 get_gpt0 glitch_cnt glitch_rate gpc0_rate gpc1_rate
  http_err_cnt http_err_rate http_fail_cnt http_fail_rate http_req_cnt http_req_rate
  inc_gpc0 inc_gpc1 kbytes_in kbytes_out key sess_cnt sess_rate tracked trackers
`)

/** Counters only the generic `sc_…(<ctr>)` form offers (they take an array index too). */
const genericOnlyCounters = words('clr_gpc get_gpc get_gpt gpc_rate inc_gpc')

/** The per-source-address counters (`src_…(<table>)`). */
const srcCounters = words(`
  bytes_in_rate bytes_out_rate clr_gpc clr_gpc0 clr_gpc1 conn_cnt conn_cur conn_rate
  get_gpc get_gpc0 get_gpc1 get_gpt get_gpt0 glitch_cnt glitch_rate gpc0_rate gpc1_rate gpc_rate
  http_err_cnt http_err_rate http_fail_cnt http_fail_rate http_req_cnt http_req_rate
  inc_gpc inc_gpc0 inc_gpc1 kbytes_in kbytes_out sess_cnt sess_rate updt_conn_cnt
`)

export const sampleFetches: readonly string[] = [
  // --- Internal states and constants ----------------------------------------------------------
  ...words(`
    acl act_conn always_false always_true avg_queue be_conn be_conn_free be_sess_rate bin bool
    connslots cpu_calls cpu_ns_avg cpu_ns_tot cpu_usage_grp cpu_usage_proc cpu_usage_thr
    date date_us dump_all_vars env fe_conn fe_req_rate fe_sess_rate hostname int ipv4 ipv6
    last_entity last_rule_file last_rule_line lat_ns_avg lat_ns_tot meth nbproc nbsrv pid
    prio_class prio_offset proc queue quic_enabled rand srv_conn srv_conn_free srv_is_up
    srv_iweight srv_queue srv_sess_rate srv_uweight srv_weight stopping str table_avl table_cnt
    term_events tgroup thread txn.id32 txn.sess_term_state uptime uuid var wait_end
    waiting_entity
  `),

  // --- Layer 4: connections, streams, proxies, servers ------------------------------------------
  ...words(`
    accept_date bc.timer.connect bc_be_queue bc_dst bc_dst_port bc_err bc_err_name bc_err_str
    bc_glitches bc_http_major bc_nb_streams bc_reused bc_rtt bc_rttvar bc_settings_streams_limit
    bc_src bc_src_port bc_srv_queue be_connect_timeout be_id be_name be_queue_timeout
    be_server_timeout be_tarpit_timeout be_tunnel_timeout bs.aborted bs.debug_str bs.id
    bs.rst_code bytes_in bytes_out cur_client_timeout cur_connect_timeout cur_queue_timeout
    cur_server_timeout cur_tarpit_timeout cur_tunnel_timeout dst dst_conn dst_is_local dst_port
    fc.timer.handshake fc.timer.total fc_dst fc_dst_is_local fc_dst_port fc_err fc_err_name
    fc_err_str fc_fackets fc_glitches fc_http_major fc_lost fc_nb_streams fc_pp_authority
    fc_pp_tlv fc_pp_unique_id fc_rcvd_proxy fc_reordering fc_retrans fc_rtt fc_rttvar fc_sacked
    fc_saved_syn fc_settings_streams_limit fc_src fc_src_is_local fc_src_port fc_unacked
    fe_client_timeout fe_defbe fe_id fe_name fe_tarpit_timeout fs.aborted fs.debug_str fs.id
    fs.rst_code so_id so_name src src_is_local src_port srv_id srv_name txn.conn_retries
    txn.redispatched
  `),
  ...['sc0_', 'sc1_', 'sc2_', 'sc_'].flatMap((p) => trackedCounters.map((c) => p + c)),
  ...genericOnlyCounters.map((c) => 'sc_' + c),
  'sc1_clr_gpc', // registered for sc1 only, by HAProxy's own table
  ...srcCounters.map((c) => 'src_' + c),

  // --- Layer 5: TLS -----------------------------------------------------------------------------
  ...words(`
    ssl_bc ssl_bc_alg_keysize ssl_bc_alpn ssl_bc_cipher ssl_bc_client_early_traffic_secret
    ssl_bc_client_handshake_traffic_secret ssl_bc_client_random ssl_bc_client_traffic_secret_0
    ssl_bc_curve ssl_bc_early_exporter_secret ssl_bc_err ssl_bc_err_str ssl_bc_exporter_secret
    ssl_bc_is_resumed ssl_bc_npn ssl_bc_protocol ssl_bc_server_handshake_traffic_secret
    ssl_bc_server_random ssl_bc_server_traffic_secret_0 ssl_bc_session_id ssl_bc_session_key
    ssl_bc_sni ssl_bc_unique_id ssl_bc_use_keysize
    ssl_c_ca_err ssl_c_ca_err_depth ssl_c_chain_der ssl_c_der ssl_c_err ssl_c_i_dn ssl_c_key_alg
    ssl_c_notafter ssl_c_notbefore ssl_c_r_dn ssl_c_s_dn ssl_c_san ssl_c_serial ssl_c_sha1
    ssl_c_sig_alg ssl_c_used ssl_c_verify ssl_c_version
    ssl_f_der ssl_f_i_dn ssl_f_key_alg ssl_f_notafter ssl_f_notbefore ssl_f_s_dn ssl_f_serial
    ssl_f_sha1 ssl_f_sig_alg ssl_f_version
    ssl_fc ssl_fc_alg_keysize ssl_fc_alpn ssl_fc_cipher ssl_fc_cipherlist_bin
    ssl_fc_cipherlist_hex ssl_fc_cipherlist_str ssl_fc_cipherlist_xxh
    ssl_fc_client_early_traffic_secret ssl_fc_client_handshake_traffic_secret
    ssl_fc_client_random ssl_fc_client_traffic_secret_0 ssl_fc_crtname ssl_fc_curve
    ssl_fc_early_exporter_secret ssl_fc_early_rcvd ssl_fc_ecformats_bin ssl_fc_eclist_bin
    ssl_fc_err ssl_fc_err_str ssl_fc_exporter_secret ssl_fc_extlist_bin ssl_fc_has_crt
    ssl_fc_has_early ssl_fc_has_sni ssl_fc_is_resumed ssl_fc_npn ssl_fc_protocol
    ssl_fc_protocol_hello_id ssl_fc_server_handshake_traffic_secret ssl_fc_server_random
    ssl_fc_server_traffic_secret_0 ssl_fc_session_id ssl_fc_session_key ssl_fc_sigalgs_bin
    ssl_fc_sni ssl_fc_supported_versions_bin ssl_fc_unique_id ssl_fc_use_keysize
    ssl_s_chain_der ssl_s_der ssl_s_i_dn ssl_s_key_alg ssl_s_notafter ssl_s_notbefore
    ssl_s_s_dn ssl_s_serial ssl_s_sha1 ssl_s_sig_alg ssl_s_version
  `),

  // --- Layer 6: buffer contents -----------------------------------------------------------------
  ...words(`
    distcc_body distcc_param payload payload_lv rdp_cookie rdp_cookie_cnt rep_ssl_hello_type
    req.len req.payload req.payload_lv req.proto_http req.rdp_cookie req.rdp_cookie_cnt
    req.ssl_alpn req.ssl_cipherlist req.ssl_ec_ext req.ssl_hello_type req.ssl_keyshare_groups
    req.ssl_sigalgs req.ssl_sni req.ssl_st_ext req.ssl_supported_groups req.ssl_ver req_len
    req_proto_http req_ssl_hello_type req_ssl_sni req_ssl_ver res.len res.payload
    res.payload_lv res.ssl_hello_type
  `),

  // --- Layer 7: HTTP ----------------------------------------------------------------------------
  ...words(`
    base base32 base32+src baseq capture.req.hdr capture.req.method capture.req.uri
    capture.req.ver capture.res.hdr capture.res.ver cook cook_cnt cook_val cookie fcgi.docroot
    fcgi.index hdr hdr_cnt hdr_ip hdr_val http_auth http_auth_bearer http_auth_group
    http_auth_pass http_auth_type http_auth_user http_first_req method path pathq query
    req.body req.body_len req.body_param req.body_size req.bytes_in req.bytes_out req.cook
    req.cook_cnt req.cook_names req.cook_val req.fhdr req.fhdr_cnt req.hdr req.hdr_cnt
    req.hdr_ip req.hdr_names req.hdr_val req.hdrs req.hdrs_bin req.timer.hdr req.timer.idle
    req.timer.queue req.timer.tq req.ver req_ver request_date res.body res.body_len
    res.body_size res.bytes_in res.bytes_out res.cache_hit res.cache_name res.comp
    res.comp_algo res.cook res.cook_cnt res.cook_names res.cook_val res.fhdr res.fhdr_cnt
    res.hdr res.hdr_cnt res.hdr_ip res.hdr_names res.hdr_val res.hdrs res.hdrs_bin
    res.timer.data res.timer.hdr res.ver resp_ver scook scook_cnt scook_val server_status shdr
    shdr_cnt shdr_ip shdr_val status txn.status txn.timer.total txn.timer.user unique-id url
    url32 url32+src url_ip url_param url_port urlp urlp_val
  `),

  // --- For developers (internal HTX state) -------------------------------------------------------
  ...words(`
    internal.htx.data internal.htx.free internal.htx.free_data internal.htx.has_eom
    internal.htx.nbblks internal.htx.size internal.htx.used internal.htx_blk.data
    internal.htx_blk.hdrname internal.htx_blk.hdrval internal.htx_blk.size
    internal.htx_blk.start_line internal.htx_blk.type internal.strm.is_htx
  `),

  // --- Optional modules -------------------------------------------------------------------------
  ...words('spoe.engine-id 51d.all da-csv-fetch wurfl-get wurfl-get-all'),
]

export const converters: readonly string[] = words(`
  add add_item aes_cbc_dec aes_cbc_enc aes_gcm_dec aes_gcm_enc and b64dec base2 base64 be2dec
  be2hex bool bytes capture-req capture-res concat cpl crc32 crc32c cut_crlf date debug digest
  div djb2 eth.data eth.dst eth.hdr eth.proto eth.src eth.vlan even fe_exists field
  fix_is_valid fix_tag_value hex hex2i hmac host_only htonl http_date iif in_table ip.data
  ip.df ip.dst ip.fp ip.hdr ip.proto ip.src ip.tos ip.ttl ip.ver ipmask json json_query
  jwt_decrypt_cert jwt_decrypt_jwk jwt_decrypt_secret jwt_header_query jwt_payload_query
  jwt_verify jwt_verify_cert language le2dec length lower ltime ltrim
  map map_beg map_beg_int map_beg_ip map_beg_key map_dir map_dir_int map_dir_ip map_dir_key
  map_dom map_dom_int map_dom_ip map_dom_key map_end map_end_int map_end_ip map_end_key
  map_int map_int_int map_int_ip map_int_key map_ip map_ip_int map_ip_ip map_ip_key
  map_reg map_reg_int map_reg_ip map_reg_key map_regm map_str map_str_int map_str_ip
  map_str_key map_sub map_sub_int map_sub_ip map_sub_key
  mod mqtt_field_value mqtt_is_valid ms_ltime ms_utime mul nbsrv neg not odd or param
  port_only protobuf regsub reverse reverse_dom rfc7239_field rfc7239_is_valid rfc7239_n2nn
  rfc7239_n2np rfc7239_nn rfc7239_np rtrim sdbm secure_memcmp set-var sha1 sha2 srv_is_up
  srv_queue strcmp sub
  table_bytes_in_rate table_bytes_out_rate table_clr_gpc table_clr_gpc0 table_clr_gpc1
  table_conn_cnt table_conn_cur table_conn_rate table_expire table_glitch_cnt
  table_glitch_rate table_gpc table_gpc0 table_gpc0_rate table_gpc1 table_gpc1_rate
  table_gpc_rate table_gpt table_gpt0 table_http_err_cnt table_http_err_rate
  table_http_fail_cnt table_http_fail_rate table_http_req_cnt table_http_req_rate table_idle
  table_inc_gpc table_inc_gpc0 table_inc_gpc1 table_kbytes_in table_kbytes_out
  table_server_id table_sess_cnt table_sess_rate table_trackers
  tcp.dst tcp.flags tcp.options.mss tcp.options.sack tcp.options.tsopt tcp.options.tsval
  tcp.options.wscale tcp.options.wsopt tcp.options_list tcp.seq tcp.src tcp.win
  ub64dec ub64enc ungrpc unset-var upper url_dec url_enc us_ltime us_utime utime when word
  wt6 x509_v_err_str xor xxh3 xxh32 xxh64
  51d.single da-csv-conv
`)

/** The match-method shorthands of the ACL criteria (`_beg`, `_dir`, …) HAProxy registers. */
const aclMatchSuffixes = ['', '_beg', '_dir', '_dom', '_end', '_len', '_reg', '_sub']

/**
 * ACL-only keywords: criteria HAProxy registers for ACLs, mostly a fetch with an implied
 * match method (`path_beg` = `path -m beg`, `hdr_sub` = `req.hdr -m sub`). Some share their
 * name with a fetch (`path`, `hdr`, `method`): the ACL form implies a default match method.
 */
export const aclKeywords: readonly string[] = [
  ...['base', 'cook', 'hdr', 'path', 'scook', 'shdr', 'url', 'urlp'].flatMap((b) =>
    aclMatchSuffixes.map((s) => b + s),
  ),
  ...words(`
    http_auth_group method payload payload_lv req.ssl_ver req_rdp_cookie req_rdp_cookie_cnt
    req_ssl_sni req_ssl_ver req_ver resp_ver ssl_fc_sni_end ssl_fc_sni_reg
  `),
]

/** The ACLs every configuration may use without declaring them. */
export const predefinedAcls: readonly string[] = [
  'FALSE',
  'HTTP',
  'HTTP_1.0',
  'HTTP_1.1',
  'HTTP_2.0',
  'HTTP_3.0',
  'HTTP_CONTENT',
  'HTTP_URL_ABS',
  'HTTP_URL_SLASH',
  'HTTP_URL_STAR',
  'LOCALHOST',
  'METH_CONNECT',
  'METH_DELETE',
  'METH_GET',
  'METH_HEAD',
  'METH_OPTIONS',
  'METH_POST',
  'METH_PUT',
  'METH_TRACE',
  'RDP_COOKIE',
  'REQ_CONTENT',
  'TRUE',
  'WAIT_END',
]
