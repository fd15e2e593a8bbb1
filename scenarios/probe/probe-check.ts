/** One judgement of a probe run: where its evidence came from and what it says. */
export type CheckStatus = 'pass' | 'fail' | 'unchecked';

export interface ProbeCheck {
  source: 'broker' | 'log' | 'clients';
  name: string;
  status: CheckStatus;
  detail: string;
}
