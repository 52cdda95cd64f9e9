// E-mail addresses a repository's notifications may be sent to (Quay's RepositoryAuthorizedEmail):
// an address is confirmed by opening the link mailed to it, and only then may an e-mail
// notification name it. Only the code's hash is kept; asking again mails a new code.
import { and, eq, ne } from "drizzle-orm";
import type { DbOrTx } from "../../../db/client.ts";
import { namespaces, repositories, repositoryAuthorizedEmails } from "../../../db/schema.ts";
import { newSecret, secretHash } from "../../auth/secrets.ts";
import { DomainError } from "../errors.ts";

/** An address's state for a repository (Quay's `{email, repository, namespace, confirmed}`). */
export interface AuthorizedEmail {
  email: string;
  namespace: string;
  repository: string;
  confirmed: boolean;
}

interface Repo {
  id: number;
  namespace: string;
  name: string;
}

/** Roughly an address: no spaces, one @ with something on both sides. */
export const isEmailAddress = (email: string) => /^[^\s@]+@[^\s@]+$/.test(email) && email.length <= 254;

const view = (repo: Repo, email: string, confirmed: boolean): AuthorizedEmail => ({
  email,
  namespace: repo.namespace,
  repository: repo.name,
  confirmed,
});

/** The address's authorization for the repository, if one was ever asked for. */
export async function findAuthorizedEmail(db: DbOrTx, repo: Repo, email: string): Promise<AuthorizedEmail | undefined> {
  const [row] = await db
    .select({ confirmed: repositoryAuthorizedEmails.confirmed })
    .from(repositoryAuthorizedEmails)
    .where(and(eq(repositoryAuthorizedEmails.repositoryId, repo.id), eq(repositoryAuthorizedEmails.email, email)));
  return row && view(repo, email, row.confirmed);
}

/** Whether the address has confirmed it may receive the repository's notifications. */
export async function isConfirmedEmail(db: DbOrTx, repositoryId: number, email: string): Promise<boolean> {
  const [row] = await db
    .select({ confirmed: repositoryAuthorizedEmails.confirmed })
    .from(repositoryAuthorizedEmails)
    .where(and(eq(repositoryAuthorizedEmails.repositoryId, repositoryId), eq(repositoryAuthorizedEmails.email, email)));
  return row?.confirmed === true;
}

/**
 * Starts (or repeats) the authorization of an address: unless it is confirmed already, a new
 * code replaces any earlier one and is returned for the door to mail (`code` absent: nothing to send).
 */
export async function requestEmailAuthorization(db: DbOrTx, repo: Repo, email: string): Promise<{ record: AuthorizedEmail; code?: string }> {
  if (!isEmailAddress(email)) throw new DomainError("INVALID_REQUEST", "Invalid e-mail address");
  const found = await findAuthorizedEmail(db, repo, email);
  if (found?.confirmed) return { record: found };
  const code = newSecret();
  await db
    .insert(repositoryAuthorizedEmails)
    .values({ repositoryId: repo.id, email, code: secretHash(code) })
    .onConflictDoUpdate({
      target: [repositoryAuthorizedEmails.repositoryId, repositoryAuthorizedEmails.email],
      set: { code: secretHash(code) },
    });
  return { record: view(repo, email, false), code };
}

/** Confirms the address a mailed code was sent to (Quay's "Invalid confirmation code." otherwise). */
export async function confirmEmailAuthorization(db: DbOrTx, code: string): Promise<AuthorizedEmail> {
  const [row] = await db
    .update(repositoryAuthorizedEmails)
    .set({ confirmed: true })
    .from(repositories)
    .innerJoin(namespaces, eq(namespaces.id, repositories.namespaceId))
    .where(
      and(
        eq(repositoryAuthorizedEmails.code, secretHash(code)),
        eq(repositories.id, repositoryAuthorizedEmails.repositoryId),
        ne(repositories.state, "MARKED_FOR_DELETION"),
      ),
    )
    .returning({ email: repositoryAuthorizedEmails.email, namespace: namespaces.name, repository: repositories.name });
  if (!row) throw new DomainError("INVALID_REQUEST", "Invalid confirmation code.");
  return { email: row.email, namespace: row.namespace, repository: row.repository, confirmed: true };
}
