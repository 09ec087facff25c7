/**
 * Constants of XPRESS as WIM uses it: Microsoft's "LZ77+Huffman" variant
 * ([MS-XCA] §2.1, §2.2), the compression ICD applies to `.ppkg` resources.
 *
 * A compressed chunk is a 256-byte table holding the 4-bit codeword length
 * of each of the 512 Huffman symbols, followed by the Huffman-coded
 * literals and matches. Symbols 0–255 are literal bytes; symbol 256 + n is a
 * match whose header n packs the offset's bit length (high nibble) and the
 * match length minus 3, capped at 15 (low nibble).
 *
 * These values are fixed by the format: this file only grows.
 */

/** Literal symbols: one per byte value. */
export const XPRESS_NUM_CHARS = 256;
/** Literals plus the 256 match headers. */
export const XPRESS_NUM_SYMBOLS = 512;
/** Codeword lengths are stored in 4 bits; 0 means "symbol unused". */
export const XPRESS_MAX_CODEWORD_LEN = 15;
/** Bytes of the codeword-length table at the start of every compressed chunk (512 × 4 bits). */
export const XPRESS_TABLE_BYTES = XPRESS_NUM_SYMBOLS / 2;

/**
 * Match header 0 (offset 1, length 3), written once after the data: Microsoft's
 * decoder (WIMGAPI) expects it at the end ([MS-XCA] §2.2.4 note), others ignore it.
 */
export const XPRESS_END_OF_DATA = 256;

export const XPRESS_MIN_MATCH_LEN = 3;
/** Length 3 + 65535, the largest value of the 16-bit extended length. */
export const XPRESS_MAX_MATCH_LEN = 65538;
/** Low nibble of a match header: length − 3, where 15 means "more length bytes follow". */
export const XPRESS_LEN_HEADER_MAX = 15;

export const XPRESS_MIN_OFFSET = 1;
/** The offset's bit length is a nibble (at most 15), so offsets reach 2^16 − 1. */
export const XPRESS_MAX_OFFSET = 65535;

/**
 * Largest input one compressed block may cover: every offset inside it is
 * ≤ XPRESS_MAX_OFFSET, and [MS-XCA] decoders read a new Huffman table after
 * each 65536 output bytes. WIM chunks (32768 bytes) are well inside it.
 */
export const XPRESS_MAX_BLOCK_SIZE = 65536;
