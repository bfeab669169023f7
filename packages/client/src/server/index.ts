/**
 * @banterbox/client/server: what an embedding platform's backend needs (Node): mint its viewers'
 * tokens, call the admin API, and check the signatures of the webhooks it receives.
 */
export { mintViewerToken } from './token';
export type { ViewerToken } from './token';
export { BanterboxAdmin, BanterboxApiError } from './admin';
export type { Room, RoomSettings } from './admin';
export { signWebhook, verifyWebhook, newWebhookSecret, WebhookVerificationError } from './webhooks';
export type { WebhookHeaders } from './webhooks';
