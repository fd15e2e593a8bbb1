import { CONNECTION_LIMIT_MESSAGE, ERROR_HEADER } from '../protocol/smartapi/index.ts';

/**
 * AngelOne's over-the-limit handshake answer as clients receive it (LOG-TEMPLATES.md "Refusal shapes"):
 * nginx in front of a Jetty servlet, so nginx's status line and `server` header around Jetty's
 * ISO-8859-1 error page of 615 bytes for `/smart-stream`. websocket-client >= 1.8 logs these headers and
 * this body verbatim, so the verifier's rules are tested against the same bytes a real refusal produces.
 */
export const CONNECTION_LIMIT_RESPONSE = {
  statusLine: 'HTTP/1.1 429 Too Many Requests',
  server: 'nginx',
  contentType: 'text/html;charset=iso-8859-1',
  /** Sent after `content-length`, in this order. */
  trailingHeaders: [
    [ERROR_HEADER, CONNECTION_LIMIT_MESSAGE],
    ['cache-control', 'must-revalidate,no-cache,no-store'],
    ['pragma', 'no-cache'],
    ['expires', '0'],
    ['connection', 'close'],
  ],
  servlet: 'org.eclipse.jetty.websocket.server.WebSocketUpgradeServlet',
  jettyVersion: '9.4.48.v20220622',
} as const;

/** Jetty's error page for `path`; 615 bytes for `/smart-stream`. */
export function connectionLimitPage(path: string): string {
  const message = CONNECTION_LIMIT_MESSAGE;
  const { servlet, jettyVersion } = CONNECTION_LIMIT_RESPONSE;
  return [
    '<html>',
    '<head>',
    '<meta http-equiv="Content-Type" content="text/html;charset=ISO-8859-1"/>',
    `<title>Error 429 ${message}</title>`,
    '</head>',
    `<body><h2>HTTP ERROR 429 ${message}</h2>`,
    '<table>',
    `<tr><th>URI:</th><td>${path}</td></tr>`,
    '<tr><th>STATUS:</th><td>429</td></tr>',
    `<tr><th>MESSAGE:</th><td>${message}</td></tr>`,
    `<tr><th>SERVLET:</th><td>${servlet}</td></tr>`,
    '</table>',
    `<hr/><a href="https://eclipse.org/jetty">Powered by Jetty:// ${jettyVersion}</a><hr/>`,
    '',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** The whole response, status line to last body byte; `date` is the HTTP date nginx stamps. */
export function connectionLimitResponse(path: string, date: Date): Buffer {
  const body = Buffer.from(connectionLimitPage(path), 'latin1');
  const response = CONNECTION_LIMIT_RESPONSE;
  const lines = [
    response.statusLine,
    `server: ${response.server}`,
    `date: ${date.toUTCString()}`,
    `content-type: ${response.contentType}`,
    `content-length: ${body.length}`,
    ...response.trailingHeaders.map(([name, value]) => `${name}: ${value}`),
  ];
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), body]);
}
