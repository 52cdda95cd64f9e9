// Outgoing mail over SMTP (nodemailer: STARTTLS, TLS and authentication are more than is worth
// writing by hand), one connection pool per configuration. No mail configured: no mailer.
import nodemailer, { type Transporter } from "nodemailer";
import type { Config } from "./config.ts";

export interface Mail {
  to: string;
  subject: string;
  text: string;
  /** An HTML alternative of the text. */
  html?: string;
}

export type SendMail = (mail: Mail) => Promise<void>;

const transports = new WeakMap<NonNullable<Config["mail"]>, Transporter>();

/** Sends mail as configured (`QUAYSIDE_SMTP_URL`), or undefined when mail is not configured. */
export function mailer(config: Config): SendMail | undefined {
  const mail = config.mail;
  if (!mail) return undefined;
  let transport = transports.get(mail);
  if (!transport) transports.set(mail, (transport = nodemailer.createTransport(mail.smtpUrl)));
  const sender = transport;
  return async (message) => {
    await sender.sendMail({ from: mail.from, ...message });
  };
}

export interface Invitation {
  to: string;
  inviter: string;
  org: string;
  team: string;
  code: string;
}

/** Mails a team invitation's code, linking to the page that accepts it (`/confirminvite`). */
export async function mailInvitation(send: SendMail, baseUrl: string, invitation: Invitation): Promise<void> {
  const { to, inviter, org, team, code } = invitation;
  const link = `${baseUrl}/confirminvite?code=${encodeURIComponent(code)}`;
  await send({
    to,
    subject: `Invitation to join team ${team} of ${org}`,
    text: `${inviter} has invited you to join team ${team} of the organization ${org}.\n\nTo join, sign in and open:\n${link}\n`,
  });
}

/** Mails the link that confirms an address may receive a repository's notifications (`/authrepoemail`). */
export async function mailEmailAuthorization(send: SendMail, baseUrl: string, to: string, repository: string, code: string): Promise<void> {
  const link = `${baseUrl}/authrepoemail?code=${encodeURIComponent(code)}`;
  await send({
    to,
    subject: `Confirm notifications of ${repository}`,
    text: `Someone asked to send notifications of the repository ${repository} to this address.\n\nTo confirm, open:\n${link}\n\nIf that was not you, ignore this message.\n`,
  });
}
