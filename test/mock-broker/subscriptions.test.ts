import { describe, expect, it } from 'vitest';
import { ExchangeType, SubscriptionMode } from '../../protocol/smartapi/index.ts';
import { ACCOUNT_A, ACCOUNT_B, mockBrokersPerTest, connect, waitFor } from '../support/mock-broker-client.ts';

const start = mockBrokersPerTest();

const request = (action: number, mode: number, tokens: string[]) => ({
  correlationID: 'abcde12345',
  action,
  params: { mode, tokenList: [{ exchangeType: ExchangeType.nse_cm, tokens }] },
});

describe('mock broker per-connection subscriptions (in-process handle)', () => {
  it('lists what each open connection holds, by (exchange type, token, mode), and forgets closed ones', async () => {
    const broker = await start();
    const a = await connect(broker.url, ACCOUNT_A);
    const b = await connect(broker.url, ACCOUNT_B);
    a.send(request(1, SubscriptionMode.ltp, ['2885', '3045']));
    a.send(request(1, SubscriptionMode.quote, ['2885']));
    a.send(request(0, SubscriptionMode.ltp, ['3045']));
    b.send(request(1, SubscriptionMode.snapQuote, ['1594']));

    const of = (code: string) => broker!.connectionSubscriptions().find((c) => c.clientCode === code)?.subscriptions ?? [];
    await waitFor(() => of(ACCOUNT_A.clientCode).length === 2 && of(ACCOUNT_B.clientCode).length === 1, 'both connections subscribed');
    expect(of(ACCOUNT_A.clientCode)).toEqual(
      expect.arrayContaining([
        { exchangeType: 1, token: '2885', mode: SubscriptionMode.ltp },
        { exchangeType: 1, token: '2885', mode: SubscriptionMode.quote },
      ]),
    );
    expect(of(ACCOUNT_B.clientCode)).toEqual([{ exchangeType: 1, token: '1594', mode: SubscriptionMode.snapQuote }]);

    await a.close();
    await waitFor(() => broker!.connectionSubscriptions().length === 1, 'the closed connection to be forgotten');
    expect(broker.connectionSubscriptions()[0]!.clientCode).toBe(ACCOUNT_B.clientCode);
  });
});
