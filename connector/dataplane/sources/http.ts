// `{ kind: 'http', url, credential?, contentType? }`: the provider's own backend. The URL's host must
// be on the configured allow-list and may not resolve to a private address unless that is allowed;
// credentials are named in the address and looked up in the configuration, so they stay on the
// provider's side. Range is passed through; redirects are refused.
import type { IncomingMessage } from 'node:http';
import { isHostAllowed } from '../../identity/net/host-policy.js';
import { DataPlaneError } from '../errors.js';
import { createAgents, discard, sendRequest, type NetworkGuard, type RequestAgents } from '../net/request.js';
import { formatRangeHeader, parseContentRange, type RequestedRange } from '../range.js';
import { contentTypeOf, invalidAddress, optionalString, requiredString } from './fields.js';
import type { DataAddressLike, DataSource, OpenedData, OpenOptions, SourceFactory } from './types.js';

export interface HttpSourceConfig extends NetworkGuard {
  /** Backend hosts: `host` (any port), `host:port`, `*.example.com` (subdomains). */
  readonly allowHosts: readonly string[];
  /** Allow plain http backends (default: https only). */
  readonly allowHttp?: boolean;
  /** Idle timeout for the backend (default 30 s). */
  readonly timeoutMs?: number;
  /** Request headers by credential name; an address names one in `credential`. */
  readonly credentials?: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

function hostRefused(url: URL, reason: string): DataPlaneError {
  return new DataPlaneError(
    'ERR_SOURCE_HOST_REFUSED',
    `The backend URL ${url.origin} ${reason}; add the host to dataplane.http.allowHosts if it is the provider's own backend.`,
    { details: { host: url.host } },
  );
}

function checkUrl(raw: string, config: HttpSourceConfig): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalidAddress('http', 'has a "url" that is not an absolute URL');
  }
  if (url.username || url.password) {
    throw invalidAddress('http', 'has user information in its URL; name a configured credential instead');
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && config.allowHttp === true)) {
    throw hostRefused(
      url,
      `uses ${url.protocol} (only https${config.allowHttp ? ' and http' : ''} is allowed)`,
    );
  }
  if (!isHostAllowed({ allow: config.allowHosts }, url))
    throw hostRefused(url, 'is not an allowed backend host');
  return url;
}

class HttpSource implements DataSource {
  readonly kind = 'http';

  constructor(
    private readonly url: URL,
    private readonly headers: Readonly<Record<string, string>>,
    private readonly contentType: string | undefined,
    private readonly config: HttpSourceConfig,
    private readonly agents: RequestAgents,
  ) {}

  describe(): string {
    return `http ${this.url.origin}${this.url.pathname}`;
  }

  async open(range?: RequestedRange, options: OpenOptions = {}): Promise<OpenedData> {
    const response = await sendRequest({
      url: this.url,
      method: 'GET',
      headers: {
        ...this.headers,
        accept: '*/*',
        'accept-encoding': 'identity',
        ...(range ? { range: formatRangeHeader(range) } : {}),
      },
      agents: this.agents,
      guard: this.config,
      refusalCode: 'ERR_SOURCE_HOST_REFUSED',
      failureCode: 'ERR_SOURCE_BACKEND_FAILED',
      timeoutMs: this.config.timeoutMs ?? 30_000,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return this.read(response, range !== undefined);
  }

  private read(response: IncomingMessage, ranged: boolean): OpenedData {
    const status = response.statusCode ?? 0;
    const contentType = this.contentType ?? response.headers['content-type'] ?? 'application/octet-stream';
    const etag = response.headers.etag;
    if (status === 200 || (status === 206 && ranged)) {
      const length = Number(response.headers['content-length']);
      const contentRange = status === 206 ? parseContentRange(response.headers['content-range']) : undefined;
      if (status === 206 && contentRange?.range === undefined) {
        discard(response);
        throw this.failure('answered 206 without a valid Content-Range');
      }
      const size = status === 200 ? (Number.isSafeInteger(length) ? length : undefined) : contentRange?.size;
      return {
        stream: response,
        contentType,
        ...(size !== undefined ? { size } : {}),
        ...(etag !== undefined ? { etag } : {}),
        ...(contentRange?.range ? { range: contentRange.range } : {}),
      };
    }
    discard(response);
    if (status === 416) {
      const size = parseContentRange(response.headers['content-range'])?.size;
      throw new DataPlaneError('ERR_RANGE_NOT_SATISFIABLE', 'The range starts past the end of the data.', {
        details: size !== undefined ? { size } : {},
      });
    }
    if (status >= 300 && status < 400) {
      throw this.failure(
        `answered ${status} (a redirect); redirects are not followed, point the asset at the final URL`,
      );
    }
    throw this.failure(`answered ${status}`);
  }

  private failure(reason: string): DataPlaneError {
    return new DataPlaneError('ERR_SOURCE_BACKEND_FAILED', `The backend ${this.describe()} ${reason}.`, {
      details: { host: this.url.host },
    });
  }
}

export function httpSourceFactory(config: HttpSourceConfig): SourceFactory {
  const agents = createAgents(config, 'ERR_SOURCE_HOST_REFUSED');
  return {
    kind: 'http',
    create(address: DataAddressLike): DataSource {
      const url = checkUrl(requiredString(address, 'url'), config);
      const name = optionalString(address, 'credential');
      const credentials = config.credentials ?? {};
      const headers =
        name === undefined ? {} : Object.hasOwn(credentials, name) ? credentials[name] : undefined;
      if (headers === undefined) {
        throw invalidAddress('http', `names credential "${name}", which is not configured`);
      }
      const contentType = address.contentType === undefined ? undefined : contentTypeOf(address, '');
      return new HttpSource(url, headers, contentType, config, agents);
    },
  };
}
