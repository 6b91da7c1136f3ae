/**
 * What receivers and managers of webhooks import, on every runtime: the
 * verifier, the signer, the event and endpoint types.
 */
export { WebhookHandler, WebhookVerificationError, WEBHOOK_TOLERANCE_SECONDS } from "./verify.js";
export type { WebhookRequest, WebhookVerificationCode } from "./verify.js";
export { generateWebhookSecret, signWebhook } from "./signing.js";
export type { WebhookHeaders } from "./signing.js";
export { LIVEBLOCKS_WEBHOOK_EVENTS, ROOMGATE_WEBHOOK_EVENTS, WEBHOOK_EVENT_TYPES } from "./events.js";
export type {
  GroupEvent,
  GroupMembersEvent,
  LiveblocksWebhookEvent,
  LiveblocksWebhookEventType,
  RoomCreatedEvent,
  RoomDeletedEvent,
  RoomIdUpdatedEvent,
  RoomUpdatedEvent,
  RoomgateOwnWebhookEvent,
  RoomgateWebhookEvent,
  RoomgateWebhookEventType,
  TokenRevocationClearedEvent,
  TokensRevokedEvent,
  UserEnteredEvent,
  UserLeftEvent,
  WebhookEventType,
} from "./events.js";
export type { WebhookDelivery, WebhookDeliveryStatus, WebhookOutbox } from "./outbox.js";
export type { WebhookEndpoint, WebhookEndpointWithSecret } from "./management.js";
export type { WebhookRetention } from "./retention.js";
