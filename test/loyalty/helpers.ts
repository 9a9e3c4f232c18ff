/** What the loyalty tests share: a NewLoyaltyProgram body, a CSV upload (multipart, as the talon_one client sends it), a settable clock. */
import { MANAGEMENT_KEY, type TestServer } from '../helpers/server.js';

export const newProgram = (apps: number[], extra: Record<string, unknown> = {}) => ({
  title: 'Points', name: `points-${Math.random().toString(36).slice(2, 8)}`, subscribedApplications: apps, defaultValidity: 'unlimited', defaultPending: 'immediate',
  allowSubledger: true, sandbox: false, timezone: 'UTC', cardBased: false, ...extra,
});

/** A multipart/form-data body as a browser or the talon_one client would send it. */
async function multipart(csv: string): Promise<{ payload: Buffer; headers: Record<string, string> }> {
  const form = new FormData();
  form.append('upFile', new Blob([csv], { type: 'text/csv' }), 'upload.csv');
  const req = new Request('http://localhost/', { method: 'POST', body: form });
  return { payload: Buffer.from(await req.arrayBuffer()), headers: { 'content-type': req.headers.get('content-type')! } };
}

/** POSTs `csv` as the file `upFile` to `…/{programId}/{path}` (`import_points`, `import_cards`). */
export async function upload(s: TestServer, pid: number, csv: string, path = 'import_points') {
  const { payload, headers } = await multipart(csv);
  return s.app.inject({ method: 'POST', url: `/v1/loyalty_programs/${pid}/${path}`, payload, headers: { ...headers, authorization: `ManagementKey-v1 ${MANAGEMENT_KEY}` } });
}

export function clock(start: string) {
  let t = new Date(start).getTime();
  return { now: () => new Date(t), set: (s: string) => { t = new Date(s).getTime(); } };
}
