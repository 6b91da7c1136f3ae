/**
 * A WebSocket stand-in for `@liveblocks/client`'s `polyfills.WebSocket`: it
 * records the URLs the client connects to (the token rides in them) and
 * never connects, so a test can see what the client would send.
 */
export class RecordingWebSocket {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;
  static urls: string[] = [];
  readyState = 0;
  constructor(url: string) {
    RecordingWebSocket.urls.push(url);
  }
  addEventListener(): void {}
  removeEventListener(): void {}
  send(): void {}
  close(): void {}
}
