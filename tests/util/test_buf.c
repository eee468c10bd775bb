#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdlib.h>

#include "util/buf.h"

Test(buf, zero_value_reads_as_empty_string)
{
    struct buf b = BUF_INIT;
    cr_assert(eq(str, (char *)buf_str(&b), ""));
    buf_release(&b);
    buf_release(&b);
}

Test(buf, addf_grows_past_initial_capacity)
{
    struct buf b = BUF_INIT;
    for (int i = 0; i < 1000; i++) {
        buf_addf(&b, "%04d", i);
    }
    cr_assert(eq(sz, b.len, 4000));
    cr_assert(eq(int, memcmp(b.data + 3996, "0999", 4), 0));
    buf_release(&b);
}

Test(buf, detach_hands_over_and_reinits)
{
    struct buf b = BUF_INIT;
    buf_adds(&b, "abc");
    size_t len = 0;
    char *s = buf_detach(&b, &len);
    cr_assert(eq(str, s, "abc"));
    cr_assert(eq(sz, len, 3));
    cr_assert(eq(ptr, b.data, NULL));
    free(s);
}
