import fs from 'node:fs';

/** One line of a JSONL input with the byte offset just past it (where a resumed run continues). */
export interface JsonlLine {
  lineNo: number;
  text: string;
  endOffset: number;
}

/**
 * Read a JSONL file (or stdin for `-`) line by line from a byte offset, tracking offsets so a checkpoint can
 * record exactly where the next run resumes.
 */
export async function* readJsonl(file: string, startOffset = 0, startLine = 0): AsyncGenerator<JsonlLine> {
  const stream = file === '-' ? process.stdin : fs.createReadStream(file, { start: startOffset });
  let carry = Buffer.alloc(0);
  let offset = startOffset;
  let lineNo = startLine;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let buf = carry.length ? Buffer.concat([carry, chunk]) : chunk;
    let nl: number;
    while ((nl = buf.indexOf(0x0a)) >= 0) {
      const line = buf.subarray(0, nl);
      offset += nl + 1;
      lineNo++;
      const text = line.toString('utf8').replace(/\r$/, '');
      if (text.trim().length > 0) yield { lineNo, text, endOffset: offset };
      buf = buf.subarray(nl + 1);
    }
    carry = Buffer.from(buf);
  }
  if (carry.length > 0) {
    offset += carry.length;
    lineNo++;
    const text = carry.toString('utf8');
    if (text.trim().length > 0) yield { lineNo, text, endOffset: offset };
  }
}
