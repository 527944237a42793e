/* rv_fault.c: see rv_fault.h. */
#include "rv_fault.h"

#include "apr_strings.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int rv_fault_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static void rv_fault_touch(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT, 0666);
    if (fd >= 0)
        close(fd);
}

static void rv_fault_act(const char *action, const char *path)
{
    if (!strcmp(action, "exit")) {
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0666);
        if (fd < 0)
            return;                 /* spent */
        close(fd);
        raise(SIGKILL);
    }
    else if (!strcmp(action, "pause")) {
        char reached[512], go[512];
        struct timespec step = { 0, 20 * 1000 * 1000 };
        int i;
        if (strlen(path) > 400)
            return;
        strcpy(reached, path);
        strcat(reached, ".reached");
        strcpy(go, path);
        strcat(go, ".go");
        rv_fault_touch(reached);
        for (i = 0; i < 6000 && !rv_fault_exists(go); i++)
            nanosleep(&step, NULL);
    }
}

void rv_fault_point(const char *point)
{
    const char *spec = getenv("REVERB_TEST_FAULT");
    size_t plen;
    if (!spec || !*spec || !point)
        return;
    plen = strlen(point);
    while (*spec) {
        const char *end = strchr(spec, ','), *eq, *colon;
        size_t n = end ? (size_t)(end - spec) : strlen(spec);
        char item[600];
        if (n < sizeof(item)) {
            memcpy(item, spec, n);
            item[n] = '\0';
            eq = strchr(item, '=');
            colon = eq ? strchr(eq, ':') : NULL;
            if (eq && colon && (size_t)(eq - item) == plen && !strncmp(item, point, plen)) {
                item[colon - item] = '\0';
                rv_fault_act(eq + 1, colon + 1);
            }
        }
        spec += n;
        if (*spec == ',')
            spec++;
    }
}
