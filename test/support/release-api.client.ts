import { SERVICE_PORTS } from '@customs/stack';
import { asAdmin, asOfficer } from './auth-tokens';

export interface HttpAnswer<T = Record<string, unknown>> {
  status: number;
  body: T;
}

export interface NotificationItem {
  cursor: number;
  eventId: string;
  code: string;
  text: string;
  mrn: string | null;
  lrn: string;
  envelope: import('@customs/contracts').EventEnvelope;
}

export interface NotificationsPage {
  recipient: string;
  items: NotificationItem[];
  nextCursor: number;
}

export interface WorkQueuePage {
  control: string;
  items: { mrn: string; borderPost: string; pendingControls: string[]; channel: string }[];
  nextCursor: string | null;
}

/** The Authorization header of a request, chosen from what the request says. */
export type Credentials = (request: {
  body?: unknown;
  headers: Record<string, string>;
}) => Promise<Record<string, string>>;

/**
 * An officer acting as the X-Officer-Id (or body officerId) it names presents that
 * officer's token (the service takes the identity from it); anything else goes as admin.
 */
export const officerOrAdmin: Credentials = async ({ body, headers }) => {
  const named = headers['x-officer-id'] ?? (body as { officerId?: unknown } | null)?.officerId;
  return typeof named === 'string' ? asOfficer(named) : asAdmin();
};

/** Release's HTTP API as an officer, a payment system and a border post use it. */
export class ReleaseApiClient {
  constructor(
    readonly baseUrl = `http://127.0.0.1:${SERVICE_PORTS.release}`,
    private readonly credentials: Credentials = officerOrAdmin,
  ) {}

  async get<T>(path: string, headers: Record<string, string> = {}): Promise<HttpAnswer<T>> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      headers: { ...(await this.credentials({ headers })), ...headers },
    });
    return { status: res.status, body: (await res.json()) as T };
  }

  async post<T = Record<string, unknown>>(
    path: string,
    body: unknown,
    headers: Record<string, string> = {},
  ): Promise<HttpAnswer<T>> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(await this.credentials({ body, headers })),
        ...headers,
      },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as T };
  }

  workQueue(
    queue: 'documentary-checks' | 'inspections',
    query: Record<string, string>,
  ): Promise<HttpAnswer<WorkQueuePage>> {
    return this.get(`/v1/work-queues/${queue}?${new URLSearchParams(query)}`);
  }

  notifications(recipient: string, after = 0, limit = 100): Promise<HttpAnswer<NotificationsPage>> {
    const q = new URLSearchParams({ recipient, after: String(after), limit: String(limit) });
    return this.get(`/notifications?${q}`);
  }

  /** Polls until `done` holds for the answer, or fails naming what it last saw. */
  async until<T>(
    what: string,
    call: () => Promise<HttpAnswer<T>>,
    done: (a: HttpAnswer<T>) => boolean,
    timeoutMs = 30_000,
  ): Promise<HttpAnswer<T>> {
    const deadline = Date.now() + timeoutMs;
    let last = await call();
    while (!done(last)) {
      if (Date.now() > deadline)
        throw new Error(`${what}: not reached in ${timeoutMs} ms; last: ${JSON.stringify(last)}`);
      await new Promise((r) => setTimeout(r, 200));
      last = await call();
    }
    return last;
  }
}
