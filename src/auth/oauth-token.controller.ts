import { Controller, Header, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { OAuthErrorException } from '../common/http/oauth-error';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { Public } from './access';
import { TooManyAttemptsException, type AuthenticatedRequest } from './auth-session';
import { sourceAddressOf } from './authentication.middleware';
import { OAuthService, type OAuthTokenResponse } from './oauth.service';

/** Largest accepted token request; a client-credentials form is a few hundred bytes. */
const MAX_FORM_BYTES = 16 * 1024;

/**
 * `POST .../oauth/tokens` on every alias (contract iceberg-rest §1.1, §4.2), plus the spec's unprefixed
 * `/v1/oauth/tokens`. Public; the prefix is ignored.
 */
@Controller()
export class OAuthTokenController {
  constructor(
    private readonly oauth: OAuthService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post([
    'v1/oauth/tokens',
    'v1/:prefix/oauth/tokens',
    'v1/:prefix/v1/oauth/tokens',
    'api/v1/iceberg/:prefix/oauth/tokens',
    'api/v1/iceberg/:prefix/v1/oauth/tokens',
  ])
  @Public()
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  async token(@Req() req: AuthenticatedRequest, @Res({ passthrough: true }) res: Response): Promise<OAuthTokenResponse> {
    const form = await readForm(req);
    try {
      return await this.oauth.exchange(form, sourceAddressOf(req, this.config.auth.trustForwardedFor));
    } catch (error) {
      if (error instanceof TooManyAttemptsException) res.setHeader('Retry-After', String(error.retryAfterSeconds));
      throw error;
    }
  }
}

/**
 * The request's form fields: `application/x-www-form-urlencoded` as the spec requires (read here: no body
 * parser takes that type on these paths), or a JSON object, which some clients send.
 */
async function readForm(req: AuthenticatedRequest): Promise<Record<string, string>> {
  const contentType = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  let text: string;
  if (Buffer.isBuffer(req.body)) {
    text = req.body.toString('utf8');
  } else if (req.body && typeof req.body === 'object') {
    return stringFields(req.body as Record<string, unknown>);
  } else {
    text = await readFormStream(req);
  }
  if (contentType === 'application/json' || contentType.endsWith('+json')) {
    try {
      const parsed = JSON.parse(text) as unknown;
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return stringFields(parsed as Record<string, unknown>);
    } catch {
      // fall through to the error below
    }
    throw new OAuthErrorException('invalid_request', 'The request body is not a JSON object');
  }
  if (contentType !== '' && contentType !== 'application/x-www-form-urlencoded') {
    throw new OAuthErrorException('invalid_request', 'Expected an application/x-www-form-urlencoded body', 415);
  }
  return Object.fromEntries(new URLSearchParams(text));
}

function stringFields(body: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(body)) if (typeof value === 'string') out[key] = value;
  return out;
}

/**
 * The form body as text, at most MAX_FORM_BYTES. Refusals are answered, never a reset connection: a body
 * declared or found too large is 413 (the rest of it is drained, not read), a compressed one 415.
 */
function readFormStream(req: AuthenticatedRequest): Promise<string> {
  const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding !== 'identity') {
    return Promise.reject(new OAuthErrorException('invalid_request', 'Compressed token request bodies are not supported', 415));
  }
  const tooLarge = () => new OAuthErrorException('invalid_request', `The request body is larger than ${MAX_FORM_BYTES} bytes`, 413);
  if (Number(req.headers['content-length'] ?? 0) > MAX_FORM_BYTES) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    if (!req.readable) {
      resolve('');
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_FORM_BYTES) {
        // Stop keeping the body; Node discards the rest once the 413 is sent.
        req.off('data', onData);
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
