export * from './constants.ts';
export * from './codec.ts';
export type * from './messages.ts';
