// Who is acting: an anonymous caller or a signed-in user, plus where the request came from
// (for the usage log).

export interface UserPrincipal {
  kind: "user";
  userId: number;
  username: string;
  namespaceId: number;
  superuser: boolean;
}

export type Principal = { kind: "anonymous" } | UserPrincipal;

export const anonymous: Principal = { kind: "anonymous" };

export interface Actor {
  principal: Principal;
  ip?: string | null;
}

export const performerId = (actor: Actor) => (actor.principal.kind === "user" ? actor.principal.userId : null);
