import * as http from 'node:http';

export interface RawRequest {
  method: string;
  /** Sent exactly as given: no normalisation of `..`, no re-encoding (unlike fetch and URL). */
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  timeoutMs?: number;
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * A minimal HTTP/1.1 client over node:http that sends the request line verbatim, so tests can send what real
 * clients would never send (raw `..` segments, malformed percent-encoding, unusual methods).
 */
export class RawHttpClient {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  private readonly url: URL;

  constructor(baseUrl: string) {
    this.url = new URL(baseUrl);
  }

  request(req: RawRequest): Promise<RawResponse> {
    const headers: Record<string, string | number> = { ...req.headers };
    if (req.body !== undefined) headers['content-length'] = Buffer.byteLength(req.body);
    return new Promise((resolve, reject) => {
      const outgoing = http.request(
        {
          host: this.url.hostname,
          port: this.url.port,
          method: req.method,
          path: req.path,
          headers,
          agent: this.agent,
          // The test decides what a header may hold; node's own validation would refuse some hostile values.
          insecureHTTPParser: true,
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () =>
            resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }),
          );
          response.on('error', reject);
        },
      );
      outgoing.setTimeout(req.timeoutMs ?? 30_000, () => outgoing.destroy(new Error(`no answer within ${req.timeoutMs ?? 30_000} ms`)));
      outgoing.on('error', reject);
      outgoing.end(req.body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
