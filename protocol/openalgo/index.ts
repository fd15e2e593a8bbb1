export * from './protocol.ts';
export * from './market-data.ts';
