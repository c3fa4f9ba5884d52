import { z } from 'zod';

/**
 * The shapes of Mamori's `/api/v1`: what the routes validate requests with, and what they answer. The
 * OpenAPI document (openapi.ts) is generated from these same schemas.
 */

/** Text a shop sends: bounded, and without control characters (PostgreSQL refuses NUL in text). */
const plain = (max: number) =>
  z
    .string()
    .max(max)
    // eslint-disable-next-line no-control-regex
    .regex(/^[^\u0000-\u001f\u007f]*$/, 'control characters are not accepted');

const streamId = plain(100).meta({ description: 'The stream, as `stream_id` in its configuration' });

export const streamRequest = z
  .strictObject({
    delivery: z
      .strictObject({
        method: plain(200).meta({ description: '`urn:ietf:rfc:8935` (push) or `urn:ietf:rfc:8936` (poll)' }),
        endpoint_url: plain(2000).optional().meta({ description: 'Push: where SETs are POSTed' }),
        authorization_header: plain(4000)
          .optional()
          .meta({ description: 'Push: the Authorization header each POST carries (never read back)' }),
      })
      .optional(),
    events_requested: z.array(plain(200)).max(50).optional().meta({ description: 'Event type URIs; all if left out' }),
    description: plain(500).optional(),
  })
  .meta({ id: 'StreamRequest' });
export const streamUpdate = streamRequest.extend({ stream_id: streamId }).meta({ id: 'StreamUpdate' });
export const streamQuery = z.object({ stream_id: streamId.optional() });
export const statusUpdate = z
  .strictObject({
    stream_id: streamId,
    status: z.enum(['enabled', 'paused', 'disabled']),
    reason: plain(500).optional(),
  })
  .meta({ id: 'StatusUpdate' });
export const verificationRequest = z
  .strictObject({ stream_id: streamId, state: plain(500).optional() })
  .meta({ id: 'VerificationRequest' });
export const pollRequest = z
  .strictObject({
    maxEvents: z.number().int().min(0).max(1000).optional(),
    returnImmediately: z.boolean().optional(),
    ack: z.array(plain(100)).max(1000).optional(),
    setErrs: z.record(plain(100), z.strictObject({ err: plain(100), description: plain(500) })).optional(),
  })
  .meta({ id: 'PollRequest' });
export const accountParams = z.object({ sub: plain(100).meta({ description: 'The account: `sub` of its ID tokens' }) });

export const streamConfiguration = z
  .object({
    stream_id: z.string(),
    iss: z.string(),
    aud: z.string(),
    delivery: z.object({ method: z.string(), endpoint_url: z.string() }),
    events_supported: z.array(z.string()),
    events_requested: z.array(z.string()),
    events_delivered: z.array(z.string()),
    description: z.string().optional(),
  })
  .meta({ id: 'StreamConfiguration' });
export const streamStatus = z
  .object({ stream_id: z.string(), status: z.enum(['enabled', 'paused', 'disabled']), reason: z.string().optional() })
  .meta({ id: 'StreamStatus' });
export const pollResponse = z
  .object({ sets: z.record(z.string(), z.string()), moreAvailable: z.boolean() })
  .meta({ id: 'PollResponse', description: 'SETs by jti (RFC 8936 §2.5)' });
export const securityState = z
  .object({
    sub: z.string(),
    status: z.enum(['active', 'locked']),
    incident: z
      .object({
        state: z.string(),
        openedAt: z.string(),
        recoveryOpensAt: z.string().nullable(),
      })
      .nullable(),
    holds: z.object({ irreversibleActionsUntil: z.string().nullable() }),
    lastContainmentAt: z.string().nullable(),
  })
  .meta({ id: 'SecurityState' });
export const problem = z
  .object({ type: z.string(), title: z.string(), status: z.number().int(), detail: z.string().optional() })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details' });
