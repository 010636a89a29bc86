/**
 * Reading a multipart job request: the `file` part is streamed to a fresh temp file (never held in
 * memory, never named after the client's file name) and the other parts are collected as text.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { MultipartFile } from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import { ConvertError } from '../errors.ts';
import { formatBytes } from '../units.ts';

interface UploadForm {
  fields: Record<string, string>;
  upload?: { path: string; filename: string };
}

export interface UploadLimits {
  dir: string;
  maxBytes: number;
}

/** Reads the whole form; on any failure no temp file is left behind. */
export async function readUploadForm(request: FastifyRequest, limits: UploadLimits): Promise<UploadForm> {
  const form: UploadForm = { fields: {} };
  try {
    const parts = request.parts({
      limits: { fileSize: limits.maxBytes, files: 1, fields: 16, fieldSize: 4096 },
      // The name as sent, so that a path in it (`../../etc/passwd`) is seen and refused, not trimmed.
      preservePath: true,
    });
    for await (const part of parts) {
      if (part.type === 'field') {
        if (part.valueTruncated) throw new ConvertError('invalid_option', `"${part.fieldname}" is too long.`);
        form.fields[part.fieldname] = String(part.value);
      } else if (part.filename === '') {
        // A form whose file input was left empty still sends the part, with no name and no bytes.
        part.file.resume();
      } else if (part.fieldname === 'file') {
        form.upload = await saveFile(part, decodeFormName(part.filename), limits);
      } else {
        throw new ConvertError(
          'invalid_option',
          `Unexpected file field "${part.fieldname}"; send the media as "file".`,
        );
      }
    }
  } catch (err) {
    if (form.upload) await rm(form.upload.path, { force: true });
    throw asFormError(err, limits.maxBytes);
  }
  return form;
}

async function saveFile(part: MultipartFile, filename: string, limits: UploadLimits): Promise<UploadForm['upload']> {
  checkFileName(filename);
  const path = join(limits.dir, `upload-${randomUUID()}${safeExtension(filename)}`);
  try {
    await pipeline(part.file, createWriteStream(path, { flags: 'wx' }));
    // At the limit busboy stops writing and ends the stream normally, flagging it as truncated.
    if (part.file.truncated) throw tooLarge(limits.maxBytes);
  } catch (err) {
    await rm(path, { force: true });
    throw err;
  }
  return { path, filename: baseName(filename) };
}

/** The three escapes of the HTML form encoding, and nothing else (see decodeFormName). */
const FORM_ESCAPES: Readonly<Record<string, string>> = { '%22': '"', '%0D': '\r', '%0A': '\n' };

/**
 * Browsers put a file's name in a quoted `filename="…"` and escape only `"`, CR and LF in it, as
 * `%22`, `%0D` and `%0A` (HTML's multipart/form-data encoding); every other byte is sent as UTF-8,
 * `%` included, so `100% "Live".mp3` arrives as `100% %22Live%22.mp3`. busboy undoes the quoting
 * (and RFC 5987 `filename*`, which browsers never send) but not these escapes; undo exactly those.
 * A decoded CR or LF is then refused with the other control characters.
 */
function decodeFormName(filename: string): string {
  return filename.replace(/%(?:22|0D|0A)/g, (code) => FORM_ESCAPES[code] ?? code);
}

/** Bytes in a file name on common file systems; a longer one is no real file's. */
const NAME_MAX = 255;
/** Controls, and the marks that reorder text (`evil\u202Egpj.exe` shows as `evilexe.jpg`). */
const DECEPTIVE = /[\p{Cc}\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;

/**
 * The name becomes the job's title and its files' names, and is shown to people: refuse what no
 * browser sends for a real file rather than carry it along. A Windows path (`C:\…\talk.mkv`) is fine.
 */
function checkFileName(filename: string): void {
  const name = baseName(filename);
  const problem =
    name === '' || filename.split(/[/\\]/).includes('..')
      ? 'is a path, not a file name'
      : Buffer.byteLength(name) > NAME_MAX
        ? `is longer than ${NAME_MAX} bytes`
        : // The whole name as sent: a control before a slash is as much a forged name.
          DECEPTIVE.test(filename)
          ? 'contains control or text-direction characters'
          : null;
  if (problem !== null)
    throw new ConvertError('invalid_option', `The uploaded file’s name ${problem}; rename the file.`);
}

/** The client's extension, kept only when harmless, as a hint for people reading the directory. */
function safeExtension(filename: string): string {
  const ext = extname(baseName(filename)).toLowerCase();
  return /^\.[a-z0-9]{1,10}$/.test(ext) ? ext : '';
}

/** Some clients send a full path (`C:\Users\…\talk.mkv`); the title needs only the last part. */
function baseName(filename: string): string {
  return filename.split(/[/\\]/).pop() ?? '';
}

function tooLarge(maxBytes: number): ConvertError {
  return new ConvertError(
    'file_too_large',
    `The file is larger than the ${formatBytes(maxBytes)} this server accepts.`,
  );
}

/** @fastify/multipart's limit errors, in our vocabulary. */
function asFormError(err: unknown, maxBytes: number): unknown {
  switch ((err as { code?: string }).code) {
    case 'FST_REQ_FILE_TOO_LARGE':
      return tooLarge(maxBytes);
    case 'FST_FILES_LIMIT':
      return new ConvertError('invalid_option', 'Send one file per job.');
    case 'FST_FIELDS_LIMIT':
    case 'FST_PARTS_LIMIT':
      return new ConvertError('invalid_option', 'The form has too many fields.');
    case 'FST_PROTO_VIOLATION':
      return new ConvertError('invalid_option', 'The form has a field name that is not allowed.');
    case 'FST_MP_PREMATURE_CLOSE':
      return malformed();
    default:
      return isParserError(err) ? malformed() : err;
  }
}

/**
 * busboy's complaints about the body itself (no boundary, cut before the closing boundary, a bad
 * part header) are plain Errors without a code; the disk's failures carry errno codes, and ours
 * are ConvertErrors: those stay what they are.
 */
function isParserError(err: unknown): boolean {
  return err instanceof Error && !(err instanceof ConvertError) && (err as { code?: unknown }).code === undefined;
}

function malformed(): ConvertError {
  return new ConvertError('invalid_option', 'The form is malformed or was cut off before its end; send it again.');
}
