import { Action, HEARTBEAT, RequestErrorCode } from '../protocol/smartapi/index.ts';
import type { BrokerConnection } from './broker-connection.ts';
import type { SubscriptionBook } from './subscription-book.ts';
import { readClientText, requestError } from './subscription-request.ts';
import type { WebSocket } from 'ws';

export interface ClientFrameContext {
  book: SubscriptionBook<BrokerConnection>;
}

/**
 * Answers everything an admitted client sends: control-frame pings, and data frames as its endpoint
 * does (`/smart-order-update` only answers its heartbeat). Pongs to control-frame pings (how the
 * Python SDK's websocket-client heartbeats) are sent by hand, with ws's autoPong off, so a stall or
 * half-open fault can withhold them (BrokerConnection drops them) like it withholds text pongs.
 */
export function answerClient(context: ClientFrameContext, connection: BrokerConnection, ws: WebSocket): void {
  ws.on('ping', (payload) => connection.pong(payload));
  if (connection.endpoint === 'smart-stream') {
    ws.on('message', (data, isBinary) => answerClientFrame(context, connection, data as Buffer, isBinary));
  } else {
    ws.on('message', (data, isBinary) => {
      if (!isBinary && data.toString() === HEARTBEAT.ping) connection.send(HEARTBEAT.pong);
    });
  }
}

/**
 * Answers one data frame from a client the way SmartAPI does: `ping` gets `pong`, a valid request
 * (un)subscribes silently, a malformed one gets E1001 and one past a limit E1002. Nothing a client
 * sends closes its connection here.
 */
export function answerClientFrame(context: ClientFrameContext, connection: BrokerConnection, data: Buffer, isBinary: boolean): void {
  // SmartAPI clients only send text; binary frames carry no request, so they are ignored, not fatal.
  if (isBinary) return;
  const text = readClientText(data.toString('utf8'));
  if (text.kind === 'ping') {
    connection.send(HEARTBEAT.pong);
    return;
  }
  if (text.kind === 'invalid') {
    connection.send(JSON.stringify(requestError(text.correlationID, RequestErrorCode.invalidPayload)));
    return;
  }
  const { correlationID, action, params } = text.request;
  if (action === Action.unsubscribe) {
    context.book.unsubscribe(connection, params.mode, params.tokenList);
  } else if (!context.book.subscribe(connection, params.mode, params.tokenList)) {
    connection.send(JSON.stringify(requestError(correlationID, RequestErrorCode.subscriptionLimit)));
  }
}
