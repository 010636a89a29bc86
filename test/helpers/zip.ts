/** Reading a ZIP's entry names from its central directory, to check what an archive holds. */

const END_OF_DIRECTORY = 0x06054b50;
const DIRECTORY_ENTRY = 0x02014b50;

/** The names of the entries, in order (UTF-8, as yazl writes them). */
export function zipEntryNames(zip: Buffer): string[] {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (end < 0 || zip.readUInt32LE(end) !== END_OF_DIRECTORY) throw new Error('not a ZIP: no end of directory');
  const count = zip.readUInt16LE(end + 10);
  const names: string[] = [];
  for (let i = 0, at = zip.readUInt32LE(end + 16); i < count; i++) {
    if (zip.readUInt32LE(at) !== DIRECTORY_ENTRY) throw new Error(`not a ZIP: no directory entry at ${at}`);
    const [nameLength, extraLength, commentLength] = [28, 30, 32].map((offset) => zip.readUInt16LE(at + offset));
    names.push(zip.toString('utf8', at + 46, at + 46 + (nameLength ?? 0)));
    at += 46 + (nameLength ?? 0) + (extraLength ?? 0) + (commentLength ?? 0);
  }
  return names;
}

/** The bytes of a stored (uncompressed) entry, as yazl writes them with `compress: false`. */
export function zipEntryBytes(zip: Buffer, name: string): Buffer {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = zip.readUInt16LE(end + 10);
  for (let i = 0, at = zip.readUInt32LE(end + 16); i < count; i++) {
    const [nameLength = 0, extraLength = 0, commentLength = 0] = [28, 30, 32].map((o) => zip.readUInt16LE(at + o));
    if (zip.toString('utf8', at + 46, at + 46 + nameLength) === name) {
      if (zip.readUInt16LE(at + 10) !== 0) throw new Error(`${name} is compressed`);
      const size = zip.readUInt32LE(at + 20);
      const local = zip.readUInt32LE(at + 42);
      const data = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
      return zip.subarray(data, data + size);
    }
    at += 46 + nameLength + extraLength + commentLength;
  }
  throw new Error(`no entry ${name}`);
}
