/**
 * A reader that stops early (`stormcheck verify … | head`) closes stdout's pipe, and writing more raises
 * EPIPE. What is left has no reader, so it is dropped and the command's own exit code stands: the
 * unhandled error exited 1, which a CI gate reads as a failed verdict.
 */
export function dropOutputWhenReaderGone(stdout: NodeJS.WriteStream = process.stdout): void {
  stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
  });
}
