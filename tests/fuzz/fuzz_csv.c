/* fuzz_csv.c - libFuzzer target: the CSV loader (runtime/rt_csv.c) with 2
 * and 3 columns per row. */
#include <stdlib.h>

#include "formats/rt_csv.h"
#include "fuzz_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_file(data, size, ".csv");
    for (size_t cols = 2; cols <= 3; cols++) {
        float *rows = NULL;
        size_t n;
        rt_err err;
        if (rt_csv_load(path, cols, &rows, &n, NULL, &err) == 0)
            free(rows);
    }
    unlink(path);
    return 0;
}
