/* fuzz_msg.c -- libFuzzer target: gs_msg_decode, the validating decoder of every frame the
 * daemons receive, on arbitrary bytes. A message it accepts must survive being encoded
 * again and decoded again (what the decoder lets in, the encoder can send on): a task and
 * a result are re-encoded and the second decode must succeed. */
#include "fuzz.h"
#include "gs_buf.h"
#include "gs_msg.h"

#include <stdlib.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    return 0;
}

/* Re-encode a decoded task or result and decode it again; abort when that fails. */
static void roundtrip(const gs_msg_t *m)
{
    gs_buf_t b;
    gs_buf_init(&b, 16u * 1024 * 1024);
    int rc = 0;
    if (m->type == GS_MSG_TASK)
        rc = gs_msg_encode_task(&b, &m->task);
    else if (m->type == GS_MSG_RESULT)
        rc = gs_msg_encode_result(&b, &m->result);
    else {
        gs_buf_cleanup(&b);
        return;
    }
    if (rc == 0) {
        gs_msg_t again;
        gs_err_t err;
        gs_msg_init(&again);
        if (gs_msg_decode(b.data, b.len, &again, &err) != 0)
            abort(); /* accepted once, refused after a round trip */
        gs_msg_cleanup(&again);
    }
    gs_buf_cleanup(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > GS_FUZZ_MAX_INPUT)
        size = GS_FUZZ_MAX_INPUT;
    gs_msg_t m;
    gs_err_t err;
    gs_msg_init(&m);
    if (gs_msg_decode(data, size, &m, &err) == 0)
        roundtrip(&m);
    gs_msg_cleanup(&m);
    return 0;
}
