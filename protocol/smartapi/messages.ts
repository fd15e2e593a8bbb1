import type {
  ActionCode,
  ExchangeTypeCode,
  RequestErrorCodeValue,
  SubscriptionModeCode,
} from './constants.ts';

/** JSON text request a client sends to subscribe (action 1) or unsubscribe (action 0). */
export interface SmartApiRequest {
  correlationID: string;
  action: ActionCode;
  params: {
    mode: SubscriptionModeCode;
    tokenList: { exchangeType: ExchangeTypeCode; tokens: string[] }[];
  };
}

/** JSON text the server answers a request it refuses with. */
export interface SmartApiRequestError {
  correlationID: string;
  errorCode: RequestErrorCodeValue;
  errorMessage: string;
}
