/* fuzz_cursor.c - drive every cursor getter with arbitrary lengths. */
#include <stdint.h>
#include <stddef.h>

#include "cursor.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cursor c;
    cursor_init(&c, data, size);
    uint8_t op;
    while (cursor_get_u8(&c, &op)) {
        uint8_t u8; uint16_t u16; uint32_t u32; char s[8]; uint8_t tmp[16]; cursor sub;
        switch (op % 9) {
        case 0: cursor_get_u8(&c, &u8); break;
        case 1: cursor_get_be16(&c, &u16); break;
        case 2: cursor_get_be32(&c, &u32); break;
        case 3: if (cursor_get_u8(&c, &u8)) cursor_skip(&c, u8); break;
        case 4: if (cursor_get_u8(&c, &u8) && cursor_sub(&c, u8, &sub)) cursor_get_fixed_str(&sub, cursor_len(&sub), s, sizeof s); break;
        case 5: if (cursor_get_u8(&c, &u8)) cursor_get_bytes(&c, tmp, u8 % sizeof tmp); break;
        case 6: if (cursor_get_u8(&c, &u8)) cursor_sub_upto(&c, u8, &sub); break;
        case 7: cursor_get_le32(&c, &u32); break;
        default: cursor_get_be24(&c, &u32); break;
        }
        if (cursor_status(&c) != DEC_OK)
            break;
    }
    return 0;
}
