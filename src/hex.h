/*
 * hex.h - the value of one hexadecimal digit, for the parsers that read hex from the network or a file (Intel HEX
 * records, JSON \u escapes, HTTP percent-encoding and chunk sizes, the Authorization header). Inline so that each
 * parser, and each fuzz target built from a parser's sources alone, gets it without another object file.
 */
#ifndef AIRSWD_HEX_H
#define AIRSWD_HEX_H

/* 0..15 for 0-9, a-f, A-F; -1 for any other byte (a negative char converts to a value above 0x7f: also -1). */
static inline int hex_digit_value(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

#endif
