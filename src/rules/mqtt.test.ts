// MQTT CONNECT and CONNACK packets as mqtt_is_valid and mqtt_field_value read them (packets from
// HAProxy's converter/mqtt reg-test).
import { describe, expect, test } from 'bun:test'
import { mqttFieldValue, mqttParse } from './mqtt.ts'

const hex = (h: string) => Uint8Array.from(Buffer.from(h, 'hex'))
// MQTT 5.0 CONNECT: client test_sub, user test, password passwd, will willtopic/willpayload,
// maximum-packet-size 20, request-problem-information 1, will content-type text/plain,
// response-topic willrsptopic, user properties.
const CONNECT5 = hex('107e00044d51545405ee003c182700000014170126000161000162260001630001642100140008746573745f7375622a03000a746578742f706c61696e08000c77696c6c727370746f7069632600016500016626000167000168000977696c6c746f706963000b77696c6c7061796c6f61640004746573740006706173737764')
// MQTT 5.0 CONNACK: session-expiry 120, receive-maximum 32767, maximum-qos 1, retain 1,
// maximum-packet-size 65535, topic-alias-maximum 10, user properties.
const CONNACK5 = hex('20250000221100000078217fff24012501270000ffff22000a2600016100016226000163000164')

describe('mqtt_is_valid', () => {
  test('CONNECT 3.1, 3.1.1 and 5.0, CONNACK 3.1.1 and 5.0 are valid', () => {
    for (const p of [
      '102400064d514973647003c200000008746573745f7375620004746573740006706173737764', // 3.1
      '101a00044d51545404c2003c00000004746573740006706173737764', // 3.1.1, empty client id
      '101800044d5154540502003c032100140008746573745f737562', // 5.0
      '20020000', // CONNACK 3.1.1
    ]) expect(mqttParse(hex(p))).not.toBeString()
    expect(mqttParse(CONNECT5)).not.toBeString()
    expect(mqttParse(CONNACK5)).not.toBeString()
  })
  test('a packet cut short needs more; bad flags, types, lengths and remaining lengths are invalid', () => {
    expect(mqttParse(CONNECT5.subarray(0, 1))).toBe('more')
    expect(mqttParse(CONNECT5.subarray(0, 60))).toBe('more')
    expect(mqttParse(hex('d000'))).toBe('invalid') // PINGREQ: not a first packet HAProxy reads
    expect(mqttParse(hex('111400044d5154540402003c0008746573745f737562'))).toBe('invalid') // CONNECT flags 1
    expect(mqttParse(hex('21020000'))).toBe('invalid') // CONNACK flags 1
    expect(mqttParse(hex('10ffffffff1400044d5154540402003c0008746573745f737562'))).toBe('invalid') // 5-byte length
    expect(mqttParse(hex('101800044d5154540402003c000874657374a5f737562ffffffff'))).toBe('invalid') // length mismatch
    expect(mqttParse(hex('100c000458585858040200000000'))).toBe('invalid') // protocol name XXXX
  })
})

describe('mqtt_field_value', () => {
  test('CONNECT fields and MQTT 5.0 properties, as strings', () => {
    const f = (field: string) => mqttFieldValue(CONNECT5, 1, field)
    expect([f('protocol_name'), f('protocol_version'), f('flags'), f('client_identifier')]).toEqual(['MQTT', '5', '238', 'test_sub'])
    expect([f('will_topic'), f('will_payload'), f('username'), f('password'), f('keepalive')]).toEqual(['willtopic', 'willpayload', 'test', 'passwd', '60'])
    expect([f('39'), f('23'), f('3'), f('8')]).toEqual(['20', '1', 'text/plain', 'willrsptopic'])
    expect(f('17')).toBe('0') // a numeric property not carried reads 0
    expect(f('21')).toBeUndefined() // a string one is absent
  })
  test('CONNACK fields; another packet type, a 3.1.1 packet\'s properties and an empty id are absent', () => {
    const f = (field: string) => mqttFieldValue(CONNACK5, 2, field)
    expect([f('protocol_version'), f('flags'), f('reason_code'), f('17'), f('33'), f('36'), f('37'), f('39'), f('34')]).toEqual(['5', '0', '0', '120', '32767', '1', '1', '65535', '10'])
    expect(mqttFieldValue(CONNACK5, 1, 'flags')).toBeUndefined()
    expect(mqttFieldValue(hex('20020000'), 2, '17')).toBeUndefined()
    expect(mqttFieldValue(hex('101a00044d51545404c2003c00000004746573740006706173737764'), 1, 'client_identifier')).toBeUndefined()
    expect(mqttFieldValue(CONNACK5.subarray(0, 10), 2, 'flags')).toBe('more')
  })
})
