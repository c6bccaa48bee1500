/* standalone_main.c - replays fuzz inputs without libFuzzer (non-fuzz builds):
 * every file named on the command line, or every file in a named folder, is fed
 * to LLVMFuzzerTestOneInput once.  A crash or sanitizer report fails the run. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    uint8_t *buf = malloc(1 << 20);
    size_t n = buf ? fread(buf, 1, 1 << 20, f) : 0;
    fclose(f);
    LLVMFuzzerTestOneInput(buf, n);
    free(buf);
    return 1;
}

int main(int argc, char **argv)
{
    int count = 0;
    /* Always try a few trivial inputs, so a target with no corpus still runs. */
    static const uint8_t zeros[64];
    for (size_t i = 0; i <= sizeof zeros; i++)
        LLVMFuzzerTestOneInput(zeros, i);
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            DIR *d = opendir(argv[i]);
            struct dirent *e;
            while (d && (e = readdir(d))) {
                if (e->d_name[0] == '.')
                    continue;
                char p[4096];
                snprintf(p, sizeof p, "%s/%s", argv[i], e->d_name);
                count += run_file(p);
            }
            if (d)
                closedir(d);
        } else {
            count += run_file(argv[i]);
        }
    }
    printf("replayed %d corpus inputs\n", count);
    return 0;
}
