import type { MedusaRequest, MedusaResponse } from '@medusajs/framework/http';
import { TokenRefused } from '../../../lib/mamori-tokens';
import { receiveSecurityEvent } from '../../../lib/security-events';
import { mamoriSettings } from '../../../lib/settings';

const MAX_BODY = 64 * 1024;

async function rawBody(req: MedusaRequest): Promise<string | null> {
  let body = '';
  for await (const chunk of req as AsyncIterable<Buffer>) {
    body += chunk.toString('utf8');
    if (body.length > MAX_BODY) return null;
  }
  return body;
}

/**
 * RFC 8935 push delivery of Mamori's Shared Signals stream: each SET verified against Mamori's keys and
 * acted on once; 202, or 400 with the RFC 8935 error saying why.
 */
export async function POST(req: MedusaRequest, res: MedusaResponse): Promise<void> {
  const refuse = (err: string, description: string) => res.status(400).json({ err, description });
  if (!String(req.headers['content-type'] ?? '').startsWith('application/secevent+jwt'))
    return void refuse('invalid_request', 'a SET (application/secevent+jwt) is expected');
  const token = await rawBody(req);
  if (!token) return void refuse('invalid_request', 'the SET is missing or too large');
  try {
    await receiveSecurityEvent(req.scope, mamoriSettings(), token.trim());
    res.status(202).end();
  } catch (error) {
    if (error instanceof TokenRefused) return void refuse('invalid_key', 'the SET did not verify');
    throw error;
  }
}
