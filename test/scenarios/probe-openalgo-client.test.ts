import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../protocol/openalgo/index.ts';
import { OpenAlgoSession, SessionError, SessionFailure } from '../../scenarios/traffic/openalgo-client.ts';
import { scriptedEndpoint } from '../support/scripted-openalgo-endpoint.ts';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

describe('OpenAlgo client driver', () => {
  it('authenticates, answers a subscribe burst in order and counts the market_data pushed meanwhile', async () => {
    const endpoint = await scriptedEndpoint();
    closers.push(endpoint.close);
    const session = await OpenAlgoSession.open(endpoint.url, { apiKey: 'good', replyTimeoutMs: 5000 });
    closers.push(() => session.close());
    expect(session.userId).toBe('u1');
    const replies = await session.subscribe([[{ symbol: 'SBIN', exchange: 'NSE' }], [{ symbol: 'INFY', exchange: 'NSE' }, { symbol: 'TCS', exchange: 'NSE' }]], 1);
    expect(replies.map((r) => r.subscriptions.map((s) => s.symbol))).toEqual([['SBIN'], ['INFY', 'TCS']]);
    expect(session.marketData).toBe(3);
    const unsubscribed = await session.unsubscribe([{ symbol: 'SBIN', exchange: 'NSE' }], 1);
    expect(unsubscribed.status).toBe('success');
  });

  it('a refused API key rejects with AUTHENTICATION_ERROR', async () => {
    const endpoint = await scriptedEndpoint();
    closers.push(endpoint.close);
    const failure = await OpenAlgoSession.open(endpoint.url, { apiKey: 'wrong', replyTimeoutMs: 5000 }).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(SessionError);
    expect((failure as SessionError).code).toBe(ErrorCode.authentication);
  });

  it('an error frame answers the pending request and is recorded with its code', async () => {
    const endpoint = await scriptedEndpoint();
    closers.push(endpoint.close);
    const session = await OpenAlgoSession.open(endpoint.url, { apiKey: 'good', replyTimeoutMs: 5000 });
    closers.push(() => session.close());
    const failure = await session.subscribe([[{ symbol: 'BROKEN', exchange: 'NSE' }]], 1).catch((err: unknown) => err);
    expect((failure as SessionError).code).toBe(ErrorCode.broker);
    expect(session.errors.map((e) => e.code)).toEqual([ErrorCode.broker]);
  });

  it('a request nobody answers times out instead of hanging', async () => {
    const endpoint = await scriptedEndpoint();
    closers.push(endpoint.close);
    const session = await OpenAlgoSession.open(endpoint.url, { apiKey: 'good', replyTimeoutMs: 200 });
    closers.push(() => session.close());
    const failure = await session.subscribe([[{ symbol: 'SILENT', exchange: 'NSE' }]], 1).catch((err: unknown) => err);
    expect((failure as SessionError).code).toBe(SessionFailure.timeout);
    expect(session.isOpen).toBe(true);
  });

  it('a port with nothing listening is UNREACHABLE, naming the URL', async () => {
    const endpoint = await scriptedEndpoint();
    await endpoint.close();
    const failure = await OpenAlgoSession.open(endpoint.url, { apiKey: 'good', replyTimeoutMs: 2000 }).catch((err: unknown) => err);
    expect((failure as SessionError).code).toBe(SessionFailure.unreachable);
    expect((failure as SessionError).message).toContain(endpoint.url);
    expect((failure as SessionError).message).toContain('ECONNREFUSED');
  });

  it('an HTTP server that does not upgrade is UNREACHABLE with its status', async () => {
    const server: Server = createServer((_req, res) => res.writeHead(404).end('no'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise((resolve) => server.close(() => resolve())));
    const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const failure = await OpenAlgoSession.open(url, { apiKey: 'good', replyTimeoutMs: 2000 }).catch((err: unknown) => err);
    expect((failure as SessionError).code).toBe(SessionFailure.unreachable);
    expect((failure as SessionError).message).toContain('HTTP 404');
  });

  it('an abrupt close ends the session and fails later requests as CLOSED', async () => {
    const endpoint = await scriptedEndpoint();
    closers.push(endpoint.close);
    const session = await OpenAlgoSession.open(endpoint.url, { apiKey: 'good', replyTimeoutMs: 5000 });
    await session.close(true);
    expect(session.isOpen).toBe(false);
    const failure = await session.subscribe([[{ symbol: 'SBIN', exchange: 'NSE' }]], 1).catch((err: unknown) => err);
    expect((failure as SessionError).code).toBe(SessionFailure.closed);
  });
});
