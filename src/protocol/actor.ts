/**
 * The header the actor of a write travels in over REST, both ways
 * (`roomgate/http` reads it, `RestStore` sends it): percent-encoded UTF-8,
 * since a header value is bytes.
 */
export const ACTOR_HEADER = "x-roomgate-actor";
