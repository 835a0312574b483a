/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Runs a fuzz target over saved inputs without libFuzzer: every argument
 * is a file or a directory whose files (not subdirectories, not dot
 * files) are each passed once to LLVMFuzzerTestOneInput.  Each input sits
 * in a buffer of exactly its size, so a sanitizer sees any over-read.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static int read_whole(const char *path, uint8_t **data, size_t *size)
{
	FILE *f = fopen(path, "rb");
	long end;

	if (!f)
		return -errno;
	if (fseek(f, 0, SEEK_END) || (end = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET)) {
		fclose(f);
		return -EIO;
	}
	*size = (size_t)end;
	/* Exactly size bytes (1 for an empty file: libFuzzer never passes
	 * NULL either), so reading past the end is a heap overflow. */
	*data = malloc(*size ? *size : 1);
	if (!*data || fread(*data, 1, *size, f) != *size) {
		free(*data);
		fclose(f);
		return -EIO;
	}
	fclose(f);
	return 0;
}

static int replay_file(const char *path)
{
	uint8_t *data = NULL;
	size_t size = 0;
	int e = read_whole(path, &data, &size);

	if (e) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(-e));
		return e;
	}
	LLVMFuzzerTestOneInput(data, size);
	free(data);
	return 0;
}

static int skip_entry(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

/* Files of dir in name order; returns how many ran, or -errno. */
static long replay_dir(const char *dir)
{
	struct dirent **names;
	char path[4096];
	struct stat st;
	long ran = 0;
	int n = scandir(dir, &names, skip_entry, alphasort);

	if (n < 0) {
		int e = errno;

		fprintf(stderr, "replay: %s: %s\n", dir, strerror(e));
		return -e;
	}
	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		if (ran >= 0 && stat(path, &st) == 0 && S_ISREG(st.st_mode))
			ran = replay_file(path) ? -EIO : ran + 1;
		free(names[i]);
	}
	free(names);
	return ran;
}

int main(int argc, char **argv)
{
	long total = 0;

	for (int i = 1; i < argc; i++) {
		struct stat st;
		long ran;

		if (stat(argv[i], &st)) {
			fprintf(stderr, "replay: %s: %s\n", argv[i],
				strerror(errno));
			return 1;
		}
		ran = S_ISDIR(st.st_mode) ? replay_dir(argv[i]) :
		      replay_file(argv[i]) ? -EIO : 1;
		if (ran < 0)
			return 1;
		total += ran;
	}
	printf("replayed %ld inputs\n", total);
	return 0;
}
