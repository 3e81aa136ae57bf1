import type { FastifyPluginAsync } from 'fastify';
import { AuditTrail } from '../../database/audit-trail.js';
import { RejectCounters, type RejectCount } from '../../database/reject-counters.js';
import { SupervisionStates } from '../../database/supervision-states.js';
import { supervisionView } from './devices.js';
import { listOf } from './schemas.js';

/** /api/v1/supervision, /rejects, /audit: the fleet at a glance and the audit trail. */
export const fleetApi: FastifyPluginAsync = async (app) => {
  const { db } = app.centre;
  const states = new SupervisionStates(db);
  const rejects = new RejectCounters(db);
  const audit = new AuditTrail(db);

  app.get<{ Querystring: { presence?: string; test?: string } }>(
    '/supervision',
    {
      config: { access: 'read' },
      schema: {
        tags: ['supervision'],
        summary: 'supervision state of every device',
        querystring: { type: 'object', additionalProperties: false, properties: { presence: { type: 'string', enum: ['unknown', 'ok', 'late', 'missing'] }, test: { type: 'string', enum: ['unknown', 'ok', 'overdue', 'outside-window'] } } },
        response: { 200: listOf('Supervision') },
      },
    },
    async (request) => {
      const all = (await states.list()).filter((s) => (request.query.presence === undefined || s.presence === request.query.presence) && (request.query.test === undefined || s.test === request.query.test));
      const byDevice = new Map<string, RejectCount[]>();
      for (const r of await rejects.list()) byDevice.set(r.deviceId, [...(byDevice.get(r.deviceId) ?? []), r]);
      return all.map((s) => supervisionView(s, byDevice.get(s.deviceId) ?? []));
    },
  );

  app.get('/rejects', { config: { access: 'read' }, schema: { tags: ['supervision'], summary: 'every reject counter (device id and reason; unknown ids included)', response: { 200: listOf('Reject') } } }, async () => rejects.list());

  app.get<{ Querystring: { target?: string; since?: number; limit: number } }>(
    '/audit',
    {
      config: { access: 'read' },
      schema: {
        tags: ['audit'],
        summary: 'the audit trail, newest first: every change and every login, who, when, from where',
        querystring: { type: 'object', additionalProperties: false, properties: { target: { type: 'string', maxLength: 64 }, since: { type: 'integer', minimum: 0 }, limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } } },
        response: { 200: listOf('AuditEntry') },
      },
    },
    async (request) => audit.list(request.query),
  );
};
