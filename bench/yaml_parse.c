/*
 * yaml_parse: the libyaml floor for lint throughput.
 *
 * Parses every file named on the command line, or every regular file under a
 * directory argument (recursively, in name order), with libyaml's event API:
 * yaml_parser_parse until YAML_STREAM_END_EVENT, deleting each event. Nothing
 * is built or checked; this is the least work any YAML linter must do.
 * Prints the number of files, bytes and events; exits 1 if a file fails to
 * read or parse.
 *
 *   gcc -O2 -o yaml_parse yaml_parse.c -lyaml
 *   ./yaml_parse bench-out/devflow-medium
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

static unsigned long long total_files, total_bytes, total_events;
static int failures;

static int parse_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        return -1;
    }
    /* read the whole file first, as a linter does, then parse from memory */
    if (fseek(f, 0, SEEK_END) != 0) { fclose(f); return -1; }
    long size = ftell(f);
    rewind(f);
    unsigned char *buf = malloc(size > 0 ? (size_t)size : 1);
    if (!buf || fread(buf, 1, (size_t)size, f) != (size_t)size) {
        fprintf(stderr, "%s: read failed\n", path);
        free(buf);
        fclose(f);
        return -1;
    }
    fclose(f);

    yaml_parser_t parser;
    yaml_event_t event;
    int rc = 0;
    if (!yaml_parser_initialize(&parser)) {
        free(buf);
        return -1;
    }
    yaml_parser_set_input_string(&parser, buf, (size_t)size);
    for (;;) {
        if (!yaml_parser_parse(&parser, &event)) {
            fprintf(stderr, "%s:%lu:%lu: %s\n", path, (unsigned long)parser.problem_mark.line + 1,
                    (unsigned long)parser.problem_mark.column + 1,
                    parser.problem ? parser.problem : "parse error");
            rc = -1;
            break;
        }
        total_events++;
        int done = event.type == YAML_STREAM_END_EVENT;
        yaml_event_delete(&event);
        if (done) break;
    }
    yaml_parser_delete(&parser);
    free(buf);
    total_files++;
    total_bytes += (unsigned long long)size;
    return rc;
}

static int by_name(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void walk(const char *path) {
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        failures++;
        return;
    }
    if (!S_ISDIR(st.st_mode)) {
        if (parse_file(path) != 0) failures++;
        return;
    }
    DIR *d = opendir(path);
    if (!d) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        failures++;
        return;
    }
    size_t n = 0, cap = 64;
    char **names = malloc(cap * sizeof *names);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue; /* skips ".", ".." and hidden files */
        if (n == cap) names = realloc(names, (cap *= 2) * sizeof *names);
        size_t len = strlen(path) + strlen(e->d_name) + 2;
        names[n] = malloc(len);
        snprintf(names[n], len, "%s/%s", path, e->d_name);
        n++;
    }
    closedir(d);
    qsort(names, n, sizeof *names, by_name);
    for (size_t i = 0; i < n; i++) {
        walk(names[i]);
        free(names[i]);
    }
    free(names);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
        return 2;
    }
    for (int i = 1; i < argc; i++) walk(argv[i]);
    printf("files=%llu bytes=%llu events=%llu\n", total_files, total_bytes, total_events);
    return failures ? 1 : 0;
}
