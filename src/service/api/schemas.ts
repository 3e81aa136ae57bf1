/**
 * JSON Schemas of the API's objects (docs/centre-api.md): fastify validates
 * every request against them and serialises every reply through them, so a
 * field not listed (a key, a PIN hash) can never leave, and the OpenAPI file
 * is generated from these same schemas.
 */
const ms = { type: 'integer', description: 'milliseconds since the Unix epoch' } as const;
const nullableMs = { type: ['integer', 'null'], description: 'milliseconds since the Unix epoch' } as const;

export const deviceId = { type: 'string', pattern: '^[A-Za-z0-9._-]{1,32}$', description: 'device id (spec §5.2)' } as const;
export const idParams = { type: 'object', required: ['id'], additionalProperties: false, properties: { id: deviceId } } as const;

export const testWindow = {
  type: ['object', 'null'],
  required: ['start', 'end'],
  additionalProperties: false,
  properties: { start: { type: 'string', pattern: '^([01]\\d|2[0-3]):[0-5]\\d$' }, end: { type: 'string', pattern: '^([01]\\d|2[0-3]):[0-5]\\d$' } },
  description: 'expected function-test window, HH:MM UTC (end before start wraps past midnight)',
} as const;

export const deviceSettings = {
  customerName: { type: 'string', maxLength: 200 },
  customerNumber: { type: 'string', maxLength: 200 },
  siteName: { type: 'string', maxLength: 200 },
  siteAddress: { type: 'string', maxLength: 200 },
  intervalSeconds: { type: 'integer', minimum: 1, maximum: 2_678_400, description: 'expected time between check-ins' },
  graceSeconds: { type: 'integer', minimum: 0, maximum: 2_678_400, description: 'late after interval + grace' },
  missingAfter: { type: 'integer', minimum: 1, maximum: 9999, description: 'missing after k intervals' },
  functionTestDays: { type: ['integer', 'null'], minimum: 1, maximum: 7, description: 'a function test is expected every n days (null: not supervised)' },
  testGraceSeconds: { type: 'integer', minimum: 0, maximum: 2_678_400 },
  testWindow,
} as const;

export const device = {
  $id: 'Device',
  type: 'object',
  properties: {
    id: { type: 'string' },
    kind: { type: 'string', enum: ['pbx', 'key-depot'] },
    ...deviceSettings,
    keyVersion: { type: 'integer' },
    createdAt: ms,
    updatedAt: ms,
  },
} as const;

export const supervision = {
  $id: 'Supervision',
  type: 'object',
  properties: {
    deviceId: { type: 'string' },
    presence: { type: 'string', enum: ['unknown', 'ok', 'late', 'missing'] },
    presenceSince: ms,
    test: { type: 'string', enum: ['unknown', 'ok', 'overdue', 'outside-window'] },
    testSince: ms,
    lastCheckInAt: nullableMs,
    lastFunctionTestAt: nullableMs,
    nextCheckAt: { ...ms, description: 'milliseconds since the Unix epoch: when supervision looks at the device next: never later than it could turn late or overdue' },
    rejected: { type: 'object', additionalProperties: { type: 'integer' }, description: 'telegrams refused since the last accepted check-in, by reason (a wrong key or clock shows here, not as offline)' },
  },
} as const;

export const event = {
  $id: 'Event',
  type: 'object',
  properties: {
    id: { type: 'integer' },
    deviceId: { type: 'string' },
    source: { type: 'string', enum: ['device', 'report', 'supervision', 'intake'] },
    type: { type: 'string' },
    deviceSeq: { type: ['integer', 'null'] },
    occurredAt: ms,
    receivedAt: ms,
    data: { type: 'object', additionalProperties: true },
    reportId: { type: ['integer', 'null'] },
    life: { type: 'string', enum: ['active', 'cleared'] },
    clearedAt: nullableMs,
    ack: { type: 'string', enum: ['unacknowledged', 'acknowledged'] },
    acknowledgedAt: nullableMs,
    acknowledgedBy: { type: ['string', 'null'] },
    comments: { type: 'array', items: { type: 'object', properties: { id: { type: 'integer' }, at: ms, author: { type: 'string' }, text: { type: 'string' } } } },
  },
} as const;

export const command = {
  $id: 'Command',
  type: 'object',
  properties: {
    deviceId: { type: 'string' },
    commandId: { type: 'integer', description: 'the id the device sees (rising per device)' },
    type: { type: 'string' },
    fields: { type: 'object', additionalProperties: true, description: 'the command fields (a PIN appears only as "hash": "(hidden)")' },
    state: { type: 'string', enum: ['queued', 'delivered', 'acknowledged', 'cancelled'] },
    createdAt: ms,
    createdBy: { type: 'string' },
    deliveredAt: nullableMs,
    deliveries: { type: 'integer' },
    acknowledgedAt: nullableMs,
    result: { type: ['string', 'null'] },
    detail: { type: ['string', 'null'] },
  },
} as const;

export const report = {
  $id: 'Report',
  type: 'object',
  properties: {
    id: { type: 'integer' },
    systemId: { type: 'string' },
    channel: { type: 'string', enum: ['modem', 'udp', 'import'] },
    receivedAt: ms,
    seq: { type: 'integer' },
    pbxType: { type: 'string' },
    apsVersion: { type: 'string' },
    functionTest: { type: 'boolean' },
    records: { type: 'array', items: { type: 'object', additionalProperties: true } },
    text: { type: 'string', description: 'the report readable, as `hicom-sim report decode` prints it' },
    rawBase64: { type: 'string', description: 'the report bytes exactly as received' },
  },
} as const;

export const checkIn = {
  $id: 'CheckIn',
  type: 'object',
  properties: {
    id: { type: 'integer' },
    deviceId: { type: 'string' },
    receivedAt: ms,
    counter: { type: 'integer' },
    deviceTimeMs: ms,
    source: { type: 'string' },
    status: { type: 'object', additionalProperties: true },
  },
} as const;

export const reject = {
  $id: 'Reject',
  type: 'object',
  properties: { deviceId: { type: 'string' }, reason: { type: 'string' }, count: { type: 'integer' }, firstAt: ms, lastAt: ms, lastSource: { type: 'string' } },
} as const;

export const auditEntry = {
  $id: 'AuditEntry',
  type: 'object',
  properties: { id: { type: 'integer' }, at: ms, actor: { type: 'string' }, action: { type: 'string' }, target: { type: 'string' }, detail: { type: 'object', additionalProperties: true }, address: { type: ['string', 'null'] } },
} as const;

export const errorReply = {
  $id: 'Error',
  type: 'object',
  properties: { statusCode: { type: 'integer' }, error: { type: 'string' }, message: { type: 'string' } },
} as const;

export const SHARED_SCHEMAS = [device, supervision, event, command, report, checkIn, reject, auditEntry, errorReply];

export const ref = (id: string) => ({ $ref: `${id}#` });
export const listOf = (id: string) => ({ type: 'array', items: ref(id) });
export const limitQuery = { limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } } as const;
