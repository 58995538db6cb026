/**
 * iceberg-js serializes requests with JSON.stringify and parses responses with JSON.parse, so on its own it
 * cannot send or read a snapshot id above 2^53. This fetch wrapper, handed to the client, lets a test
 * send such ids exactly (write `bigIntMarker(id)` where the number goes; the marker string is replaced by
 * the bare integer in the request body) and keeps every raw response text so the test can check what the
 * server really answered, byte for byte.
 */
const MARKER = '__int64__';

/** A placeholder that the fetch wrapper turns into the bare JSON integer `value`. */
export function bigIntMarker(value: bigint | string): string {
  return `${MARKER}${value.toString()}`;
}

export interface RecordedExchange {
  method: string;
  url: string;
  requestBody?: string;
  status: number;
  responseText: string;
}

export interface LosslessFetch {
  fetch: typeof fetch;
  exchanges: RecordedExchange[];
  /** The newest recorded exchange matching the method and URL path suffix. */
  last(method: string, pathSuffix: string): RecordedExchange;
}

export function createLosslessFetch(): LosslessFetch {
  const exchanges: RecordedExchange[] = [];
  const wrapped = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.toString() : input.url;
    let body = init?.body;
    if (typeof body === 'string') {
      body = body.replace(new RegExp(`"${MARKER}(-?\\d+)"`, 'g'), '$1');
    }
    const response = await fetch(input, { ...init, body });
    const responseText = await response.text();
    exchanges.push({
      method: init?.method ?? 'GET',
      url,
      requestBody: typeof body === 'string' ? body : undefined,
      status: response.status,
      responseText,
    });
    // Hand the client a fresh response with the same text (the original body is consumed).
    return new Response(response.status === 204 || response.status === 304 ? null : responseText, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
  return {
    fetch: wrapped as typeof fetch,
    exchanges,
    last(method, pathSuffix) {
      for (let i = exchanges.length - 1; i >= 0; i--) {
        const exchange = exchanges[i];
        if (exchange.method === method && new URL(exchange.url).pathname.endsWith(pathSuffix)) return exchange;
      }
      throw new Error(`No ${method} exchange ending in ${pathSuffix}`);
    },
  };
}
