/**
 * Sending email: through SMTP when configured, else printed to the log (as the seed project's
 * console email backend did), so a laptop install needs no mail server.
 */
import { createTransport } from 'nodemailer';
import type { ServiceConfig } from './config.ts';

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

export interface Mailer {
  send(mail: Mail): Promise<void>;
  close(): void;
}

export function createMailer(config: ServiceConfig['email'], log: (line: string) => void): Mailer {
  if (config.transport === null) {
    return {
      send: async (mail) => log(`email to ${mail.to}: ${mail.subject}\n${mail.text}`),
      close: () => {},
    };
  }
  // nodemailer may annotate its options; the config is frozen, so hand it a copy.
  const options = typeof config.transport === 'string' ? config.transport : structuredClone(config.transport);
  const transport = createTransport(options);
  return {
    send: async (mail) => {
      await transport.sendMail({ from: config.from, ...mail });
    },
    close: () => transport.close(),
  };
}
