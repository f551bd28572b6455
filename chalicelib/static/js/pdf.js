/**
 * A small PDF writer for the browser: A4 pages of text lines, wrapped, in Helvetica,
 * Helvetica-Bold, Courier or Courier-Bold (the standard fonts every reader has, nothing
 * embedded), WinAnsiEncoding (Windows-1252), so that French prints as it is.
 *
 * The same model and layout as chalicelib/documents/pdf.py, byte for byte for the same lines
 * (tests/documents/test_pdf_js.py runs this file in Node and checks it, and that the width
 * tables and the bytes of every character are the same):
 *
 *   const bytes = simplePdf([[{ text: "Récépissé de vote", size: 16, bold: true }, { text: "…" }]],
 *                           { title: "Récépissé" });
 *   const url = URL.createObjectURL(new Blob([bytes], { type: "application/pdf" }));
 *
 * `pages` is an array of pages, each an array of lines `{ text, size = 11, bold = false,
 * mono = false, gapBefore = 0 }`; a line too long is wrapped at spaces (never at a no-break
 * space), a page too long continues on the next. Text is NFC-normalised; a narrow or thin space
 * becomes a no-break space, a non-breaking hyphen a hyphen; control characters are dropped and
 * any other character outside Windows-1252 prints as "?".
 */

const PAGE_WIDTH = 595.28; // A4, in points
const PAGE_HEIGHT = 841.89;
const MARGIN = 56.69; // 2 cm
const TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN;
const LEADING = 1.25;
const COURIER_WIDTH = 600;
const FONT_NAMES = ["Helvetica", "Helvetica-Bold", "Courier", "Courier-Bold"];
const FIRST_PAGE_OBJECT = 9;
const PRODUCER = "Espace \u00e9lecteur"; // the product's name in the file's metadata, as pdf.py writes it

// Advance widths (1/1000 of the size) of Helvetica and Helvetica-Bold for each byte of
// WinAnsiEncoding, from Adobe's Core14 AFM files; 0 where the encoding has no character.
const HELVETICA = [
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,
  556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,
  1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
  667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,
  333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,
  556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, 0,
  556, 0, 222, 556, 333, 1000, 556, 556, 333, 1000, 667, 333, 1000, 0, 611, 0,
  0, 222, 222, 333, 333, 350, 556, 1000, 333, 1000, 500, 333, 944, 0, 500, 667,
  278, 333, 556, 556, 556, 556, 260, 556, 333, 737, 370, 556, 584, 333, 737, 333,
  400, 584, 333, 333, 333, 556, 537, 278, 333, 333, 365, 556, 834, 834, 834, 611,
  667, 667, 667, 667, 667, 667, 1000, 722, 667, 667, 667, 667, 278, 278, 278, 278,
  722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667, 611,
  556, 556, 556, 556, 556, 556, 889, 500, 556, 556, 556, 556, 278, 278, 278, 278,
  556, 556, 556, 556, 556, 556, 556, 584, 611, 556, 556, 556, 556, 500, 556, 500,
];
const HELVETICA_BOLD = [
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278,
  556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611,
  975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778,
  667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556,
  333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611,
  611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584, 0,
  556, 0, 278, 556, 500, 1000, 556, 556, 333, 1000, 667, 333, 1000, 0, 611, 0,
  0, 278, 278, 500, 500, 350, 556, 1000, 333, 1000, 556, 333, 944, 0, 500, 667,
  278, 333, 556, 556, 556, 556, 280, 556, 333, 737, 370, 556, 584, 333, 737, 333,
  400, 584, 333, 333, 333, 611, 556, 278, 333, 333, 365, 556, 834, 834, 834, 611,
  722, 722, 722, 722, 722, 722, 1000, 722, 667, 667, 667, 667, 278, 278, 278, 278,
  722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667, 611,
  556, 556, 556, 556, 556, 556, 889, 556, 556, 556, 556, 556, 278, 278, 278, 278,
  611, 611, 611, 611, 611, 611, 611, 584, 611, 611, 611, 611, 611, 556, 611, 556,
];

// Windows-1252's bytes 0x80-0x9F as Unicode code points (0 for the five it leaves undefined);
// written as numbers so that no French letter sits in the code (tests/api/test_pages.py).
const HIGH = new Map(
  [0x20ac, 0, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017d, 0, 0, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0, 0x017e, 0x0178]
    .map((point, index) => [String.fromCodePoint(point), 0x80 + index])
    .filter(([character]) => character !== "\u0000"),
);
const SUBSTITUTES = { "\u202f": "\u00a0", "\u2009": "\u00a0", "\u2007": "\u00a0", "\u2011": "-", "\u2010": "-", "\t": " " };
const QUESTION = 0x3f;

/** The text as WinAnsiEncoding bytes (an array of numbers). */
export function winansi(text) {
  const bytes = [];
  for (let character of String(text).normalize("NFC")) {
    character = SUBSTITUTES[character] ?? character;
    const code = character.codePointAt(0);
    if (code < 0x20 || code === 0x7f) continue;
    if (code < 0x7f || (code >= 0xa0 && code <= 0xff)) bytes.push(code);
    else bytes.push(HIGH.get(character) ?? QUESTION);
  }
  return bytes;
}

const fontOf = (bold, mono) => (mono ? 2 : 0) + (bold ? 1 : 0);

function units(bytes, font) {
  if (font >= 2) return COURIER_WIDTH * bytes.length;
  const table = font === 1 ? HELVETICA_BOLD : HELVETICA;
  let sum = 0;
  for (const byte of bytes) sum += table[byte];
  return sum;
}

const fits = (bytes, font, size, available) => (units(bytes, font) * size) / 1000 <= available;

/** Greedy wrapping at spaces; a word wider than the line is cut where it must be (as pdf.py). */
function wrapBytes(bytes, font, size, available) {
  const words = [];
  let word = [];
  for (const byte of bytes) {
    if (byte === 0x20) {
      if (word.length) words.push(word);
      word = [];
    } else word.push(byte);
  }
  if (word.length) words.push(word);
  const space = units([0x20], font);
  const lines = [];
  let current = [];
  let currentUnits = 0;
  for (let next of words) {
    let nextUnits = units(next, font);
    const candidate = current.length ? currentUnits + space + nextUnits : nextUnits;
    if ((candidate * size) / 1000 <= available) {
      current = current.length ? [...current, 0x20, ...next] : next;
      currentUnits = candidate;
      continue;
    }
    if (current.length) lines.push(current);
    while ((nextUnits * size) / 1000 > available) {
      let cut = 1;
      while (cut < next.length && fits(next.slice(0, cut + 1), font, size, available)) cut += 1;
      lines.push(next.slice(0, cut));
      next = next.slice(cut);
      nextUnits = units(next, font);
    }
    current = next;
    currentUnits = nextUnits;
  }
  if (current.length || !lines.length) lines.push(current);
  return lines;
}

/** Two decimals, rounded half up on the hundredths (as pdf.py does). */
function number(value) {
  let hundredths = Math.floor(value * 100 + 0.5);
  const sign = hundredths < 0 ? "-" : "";
  hundredths = Math.abs(hundredths);
  return `${sign}${Math.floor(hundredths / 100)}.${String(hundredths % 100).padStart(2, "0")}`;
}

const ascii = (text) => Array.from(text, (character) => character.charCodeAt(0));

function literal(bytes) {
  const out = [0x28];
  for (const byte of bytes) {
    if (byte === 0x5c || byte === 0x28 || byte === 0x29) out.push(0x5c);
    out.push(byte);
  }
  out.push(0x29);
  return out;
}

/** A text string of the document's information (any Unicode): UTF-16BE, in hex. */
function textString(text) {
  let hex = "<FEFF";
  for (let index = 0; index < text.length; index += 1) {
    hex += text.charCodeAt(index).toString(16).toUpperCase().padStart(4, "0");
  }
  return `${hex}>`;
}

function show(bytes, font, size, x, y) {
  return [
    ...ascii(`BT /F${font + 1} ${number(size)} Tf ${number(x)} ${number(y)} Td `),
    ...literal(bytes),
    ...ascii(" Tj ET\n"),
  ];
}

/** A PDF of these pages (see above), as a Uint8Array. */
export function simplePdf(pages, { title = "" } = {}) {
  const chunks = [];
  const offsets = new Array(FIRST_PAGE_OBJECT - 1).fill(0);
  const kids = [];
  let position = 0;
  const write = (bytes) => {
    const chunk = Uint8Array.from(bytes);
    chunks.push(chunk);
    position += chunk.length;
  };
  const object = (id, body) => {
    if (id > offsets.length) offsets.push(0);
    offsets[id - 1] = position;
    write([...ascii(`${id} 0 obj\n`), ...body, ...ascii("\nendobj\n")]);
  };

  write([...ascii("%PDF-1.4\n%"), 0xe2, 0xe3, 0xcf, 0xd3, 0x0a]);
  object(1, ascii("<< /Type /Catalog /Pages 2 0 R >>"));
  FONT_NAMES.forEach((name, index) => {
    object(3 + index, ascii(`<< /Type /Font /Subtype /Type1 /BaseFont /${name} /Encoding /WinAnsiEncoding >>`));
  });
  object(7, ascii("<< /Font << /F1 3 0 R /F2 4 0 R /F3 5 0 R /F4 6 0 R >> >>"));
  object(8, ascii(`<< /Title ${textString(String(title))} /Producer ${textString(PRODUCER)} >>`));

  let content = [];
  let cursor = 0;
  const startPage = () => {
    content = [];
    cursor = PAGE_HEIGHT - MARGIN;
  };
  const endPage = () => {
    const streamId = offsets.length + 1;
    object(streamId, [...ascii(`<< /Length ${content.length} >>\nstream\n`), ...content, ...ascii("\nendstream")]);
    object(
      streamId + 1,
      ascii(
        `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${number(PAGE_WIDTH)} ${number(PAGE_HEIGHT)}] ` +
          `/Contents ${streamId} 0 R /Resources 7 0 R >>`,
      ),
    );
    kids.push(streamId + 1);
  };
  for (const lines of pages) {
    startPage();
    for (const { text = "", size = 11, bold = false, mono = false, gapBefore = 0 } of lines) {
      const font = fontOf(bold, mono);
      const height = size * LEADING;
      cursor -= gapBefore;
      for (const line of wrapBytes(winansi(text), font, size, TEXT_WIDTH)) {
        if (cursor - height < MARGIN && cursor < PAGE_HEIGHT - MARGIN) {
          endPage();
          startPage();
        }
        for (const byte of show(line, font, size, MARGIN, cursor - size)) content.push(byte);
        cursor -= height;
      }
    }
    endPage();
  }

  object(2, ascii(`<< /Type /Pages /Count ${kids.length} /Kids [${kids.map((kid) => `${kid} 0 R`).join(" ")}] >>`));
  const start = position;
  let xref = `xref\n0 ${offsets.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) xref += `${String(offset).padStart(10, "0")} 00000 n \n`;
  write(ascii(xref));
  write(ascii(`trailer\n<< /Size ${offsets.length + 1} /Root 1 0 R /Info 8 0 R >>\nstartxref\n${start}\n%%EOF\n`));

  const out = new Uint8Array(position);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}
