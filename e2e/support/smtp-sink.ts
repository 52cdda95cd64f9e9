// An SMTP server on 127.0.0.1 that keeps every message it receives, for tests of outgoing mail.
import { SMTPServer } from "smtp-server";

export interface SmtpSink {
  /** The QUAYSIDE_SMTP_URL that reaches it. */
  url: string;
  inbox: { to: string; body: string }[];
  /** The team-invitation code in the last message to `to` (quoted-printable soft breaks undone). */
  invitationCode(to: string): string;
  close(): Promise<void>;
}

export async function startSmtpSink(): Promise<SmtpSink> {
  const inbox: SmtpSink["inbox"] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    onData(stream, session, callback) {
      let body = "";
      stream.on("data", (chunk: Buffer) => (body += chunk.toString()));
      stream.on("end", () => {
        inbox.push({ to: session.envelope.rcptTo.map((r) => r.address).join(","), body });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.server.address() as { port: number }).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    inbox,
    invitationCode(to) {
      const mail = inbox.findLast((m) => m.to === to);
      if (!mail) throw new Error(`no mail to ${to}`);
      const body = mail.body.replace(/=\r?\n/g, "").replace(/=3D/g, "=");
      const match = /confirminvite\?code=([A-Za-z0-9_%-]+)/.exec(body);
      if (!match) throw new Error(`no invitation code in the mail to ${to}`);
      return decodeURIComponent(match[1]!);
    },
    close: () => new Promise<void>((resolve) => server.close(resolve)),
  };
}
