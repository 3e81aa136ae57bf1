import type { FastifyPluginAsync } from 'fastify';
import type { ErrorReport } from '../../../firmware-sim/error-report.js';
import { formatReportText } from '../../centre/report-text.js';
import { notFound } from './http-error.js';
import { deviceId, listOf, ref } from './schemas.js';

const reportParams = { type: 'object', required: ['id'], additionalProperties: false, properties: { id: { type: 'integer', minimum: 1 } } } as const;

/** /api/v1/reports: class-B reports (spec §3.4), readable and as the raw bytes received. */
export const reportsApi: FastifyPluginAsync = async (app) => {
  const k = app.centre.db.kysely;
  const view = (r: { id: number; system_id: string; channel: string; received_at: number; seq: number; pbx_type: string; aps_version: string; function_test: number; decoded: string; raw: Buffer }) => {
    const report = JSON.parse(r.decoded) as ErrorReport;
    return { id: Number(r.id), systemId: r.system_id, channel: r.channel, receivedAt: Number(r.received_at), seq: Number(r.seq), pbxType: r.pbx_type, apsVersion: r.aps_version, functionTest: r.function_test === 1, records: report.records, text: formatReportText({ report, receivedAt: Number(r.received_at) }), rawBase64: Buffer.from(r.raw).toString('base64') };
  };

  app.get<{ Querystring: { system?: string; limit: number; afterId?: number } }>(
    '/reports',
    {
      config: { access: 'read' },
      schema: {
        tags: ['reports'],
        summary: 'reports, newest first',
        querystring: { type: 'object', additionalProperties: false, properties: { system: deviceId, afterId: { type: 'integer', minimum: 0 }, limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } } },
        response: { 200: listOf('Report') },
      },
    },
    async (request) => {
      let q = k.selectFrom('reports').selectAll().orderBy('id', 'desc').limit(request.query.limit);
      if (request.query.system !== undefined) q = q.where('system_id', '=', request.query.system);
      if (request.query.afterId !== undefined) q = q.where('id', '>', request.query.afterId);
      return (await q.execute()).map(view);
    },
  );

  app.get<{ Params: { id: number } }>('/reports/:id', { config: { access: 'read' }, schema: { tags: ['reports'], summary: 'one report: decoded, as text, and its raw bytes in base64', params: reportParams, response: { 200: ref('Report') } } }, async (request) => {
    const r = await k.selectFrom('reports').selectAll().where('id', '=', request.params.id).executeTakeFirst();
    if (!r) throw notFound(`no report ${request.params.id}`);
    return view(r);
  });

  app.get<{ Params: { id: number } }>('/reports/:id/raw', { config: { access: 'read' }, schema: { tags: ['reports'], summary: 'the report bytes exactly as received (application/octet-stream)', params: reportParams } }, async (request, reply) => {
    const r = await k.selectFrom('reports').select(['raw', 'system_id', 'seq']).where('id', '=', request.params.id).executeTakeFirst();
    if (!r) throw notFound(`no report ${request.params.id}`);
    reply.type('application/octet-stream').header('content-disposition', `attachment; filename="${r.system_id}-${r.seq}.bin"`);
    return Buffer.from(r.raw);
  });
};
