/* replay.c -- the fuzz targets without libFuzzer: a main() that feeds one target's
 * LLVMFuzzerTestOneInput every file of the directories (and the files) it is given, in
 * name order, so that CI replays the seed corpus and the kept crash inputs in the normal
 * and the sanitizer builds, with gcc, on every run. A crash, a sanitizer report or a leak
 * fails the run; so does finding no input at all (a missing corpus is a broken test).
 *
 *   fuzz-replay-TARGET DIR_OR_FILE...   prints "N inputs" and exits 0
 *
 * Limits: inputs larger than GS_FUZZ_MAX_INPUT are cut to it (as the fuzzer's -max_len),
 * at most REPLAY_MAX_FILES files a directory. */
#include "fuzz.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define REPLAY_MAX_FILES 100000
#define REPLAY_PATH_MAX 4096

/* libFuzzer makes LLVMFuzzerInitialize optional; every target here defines it. */

/* Read up to GS_FUZZ_MAX_INPUT bytes of path into a new buffer; -1 on error. */
static int read_input(const char *path, uint8_t **out, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return -1;
    uint8_t *buf = malloc(GS_FUZZ_MAX_INPUT ? GS_FUZZ_MAX_INPUT : 1);
    if (!buf) {
        fclose(fp);
        return -1;
    }
    size_t n = fread(buf, 1, GS_FUZZ_MAX_INPUT, fp);
    int bad = ferror(fp);
    fclose(fp);
    if (bad) {
        free(buf);
        return -1;
    }
    *out = buf;
    *len = n;
    return 0;
}

/* Feed one file to the target. 1 when fed, 0 when skipped (not a regular file), -1 on
 * a read error. */
static int replay_file(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return 0;
    uint8_t *buf;
    size_t len;
    if (read_input(path, &buf, &len) < 0) {
        fprintf(stderr, "replay: cannot read %s: %s\n", path, strerror(errno));
        return -1;
    }
    /* An exact-size copy, so that ASan sees a read past the input's end. */
    uint8_t *exact = malloc(len ? len : 1);
    if (!exact) {
        free(buf);
        return -1;
    }
    memcpy(exact, buf, len);
    free(buf);
    LLVMFuzzerTestOneInput(exact, len);
    free(exact);
    return 1;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Feed every regular file of dir (not recursive, hidden files skipped), in name order.
 * Returns the number fed or -1. */
static long replay_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    char **names = calloc(REPLAY_MAX_FILES, sizeof(*names));
    size_t n = 0;
    struct dirent *de;
    while (names && n < REPLAY_MAX_FILES && (de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        names[n] = strdup(de->d_name);
        if (names[n])
            n++;
    }
    closedir(d);
    if (!names)
        return -1;
    qsort(names, n, sizeof(*names), cmp_names);
    long fed = 0;
    for (size_t i = 0; i < n; i++) {
        char path[REPLAY_PATH_MAX];
        int w = snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        int rc = (w > 0 && (size_t)w < sizeof(path)) ? replay_file(path) : -1;
        if (rc < 0)
            fed = -1;
        else if (fed >= 0)
            fed += rc;
        free(names[i]);
    }
    free(names);
    return fed;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s DIR_OR_FILE...\n", argv[0]);
        return 2;
    }
    LLVMFuzzerInitialize(&argc, &argv);
    long total = 0;
    int failed = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        long n;
        if (stat(argv[i], &st) != 0) {
            /* A target with no regression yet has no directory: nothing to replay. */
            continue;
        }
        n = S_ISDIR(st.st_mode) ? replay_dir(argv[i]) : replay_file(argv[i]);
        if (n < 0)
            failed = 1;
        else
            total += n;
        printf("%s: %ld inputs\n", argv[i], n < 0 ? 0 : n);
    }
    printf("%ld inputs\n", total);
    return failed || total == 0 ? 1 : 0;
}
