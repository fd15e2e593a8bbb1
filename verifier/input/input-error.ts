/** Why an input could not be judged; the command turns every one into exit 2. */
export type InputErrorCode = 'NOT_FOUND' | 'UNREADABLE' | 'CORRUPT_GZIP' | 'NO_RECOGNISABLE_LINES' | 'NO_INPUT' | 'SHRUNK';

/** An input the verifier could not read (or found nothing to judge in); names the file. */
export class VerifyInputError extends Error {
  constructor(
    readonly code: InputErrorCode,
    readonly file: string,
    message: string,
    /** Why, without the file's name (what a report lists beside it). */
    readonly reason: string = message,
  ) {
    super(message);
    this.name = 'VerifyInputError';
  }
}
