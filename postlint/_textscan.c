/* postlint._textscan: quick tests the rules run on every block's text, in C.
 *
 * Each function answers exactly what a regular expression of the rules answers (the
 * Python fallback next to its caller); tests hold the two equal on generated texts.
 * They are prefilters: most texts fail them, and a search in Python costs a call and
 * a scan per block.
 *
 * may_hold_date(month_words, text) -> bool
 *     extract.dates._MAY_HOLD_DATE.search(text) is not None
 * needs_full_candidates(text) -> bool
 *     extract.dates._needs_full_candidates_re(text)
 * may_compare(stems, text) -> bool
 *     extract.enumerations.may_compare_re(stems, text): a lead-in colon, or a plural of stems
 * dated_blocks(blocks, month_words) -> list
 *     the blocks (code and HTML left out) whose text may_hold_date: extract.dates._dated_blocks_py
 * comparable_blocks(blocks, stems) -> list
 *     the prose blocks a claim is read from whose text may_compare and may hold a cardinal:
 *     extract.enumerations._comparable_blocks_py
 * may_hold_cardinal(text) -> bool
 *     extract.counts.may_hold_cardinal(text)
 * may_open_with_label(openers, marks, text) -> bool
 *     extract.enumerations._label_start(openers, marks)(text) is not None
 * label_blocks(blocks, series, captions, marks) -> list
 *     the blocks numbered_series reads: extract.enumerations._label_blocks_py
 *
 * The block functions exist because the loop costs as much as the test: a Python loop over the
 * corpora's 210,000 prose blocks takes about 0.1 s per rule family.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

#include "_slots.h"

static int
ascii_digit(Py_UCS4 c)
{
    return c >= '0' && c <= '9';
}

/* Whether text[end - len(word) : end] == word. */
static int
ends_with(int kind, const void *data, Py_ssize_t end, PyObject *word)
{
    Py_ssize_t n = PyUnicode_GET_LENGTH(word);
    if (n > end)
        return 0;
    int wkind = PyUnicode_KIND(word);
    const void *wdata = PyUnicode_DATA(word);
    for (Py_ssize_t k = 1; k <= n; k++) {
        if (PyUnicode_READ(kind, data, end - k) != PyUnicode_READ(wkind, wdata, n - k))
            return 0;
    }
    return 1;
}

static int
check_words(PyObject *words)
{
    if (!PyTuple_Check(words)) {
        PyErr_SetString(PyExc_TypeError, "month_words must be a tuple of strings");
        return -1;
    }
    for (Py_ssize_t w = 0; w < PyTuple_GET_SIZE(words); w++) {
        if (!PyUnicode_Check(PyTuple_GET_ITEM(words, w))) {
            PyErr_SetString(PyExc_TypeError, "month_words must be a tuple of strings");
            return -1;
        }
    }
    return 0;
}

/* _MAY_HOLD_DATE: an ASCII digit that opens a year-like number ("1" and three digits, "20" or
 * "21" and two: \d, any decimal digit, after the first) that no fifth digit follows, or that follows one of month_words and
 * one or two whitespace characters ("June 5"), the character before the whitespace being a
 * letter, a dot or whitespace. */
static int
holds_date(PyObject *words, PyObject *text)
{
    Py_ssize_t nwords = PyTuple_GET_SIZE(words);
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    for (Py_ssize_t i = 0; i < n; i++) {
        if (kind == PyUnicode_1BYTE_KIND) {
            /* Most characters are no digit: skip them without the generic read. */
            const Py_UCS1 *chars = (const Py_UCS1 *)data;
            while (i < n && (unsigned)(chars[i] - '0') > 9)
                i++;
            if (i == n)
                break;
        }
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (!ascii_digit(c))
            continue;
        if (i + 3 < n && Py_UNICODE_ISDECIMAL(PyUnicode_READ(kind, data, i + 2))
            && Py_UNICODE_ISDECIMAL(PyUnicode_READ(kind, data, i + 3))
            && (i + 4 == n || !Py_UNICODE_ISDECIMAL(PyUnicode_READ(kind, data, i + 4)))) {
            Py_UCS4 next = PyUnicode_READ(kind, data, i + 1);
            if (c == '1' ? Py_UNICODE_ISDECIMAL(next) : c == '2' && (next == '0' || next == '1'))
                return 1;
        }
        if (i < 2 || !Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, i - 1)))
            continue;
        Py_UCS4 before = PyUnicode_READ(kind, data, i - 2);
        if (!((before < 128 && (Py_ISALPHA(before) || before == '.')) || Py_UNICODE_ISSPACE(before)))
            continue;
        for (Py_ssize_t spaces = 1; spaces <= 2; spaces++) {
            if (spaces == 2 && !Py_UNICODE_ISSPACE(before))
                break;
            for (Py_ssize_t w = 0; w < nwords; w++) {
                if (ends_with(kind, data, i - spaces, PyTuple_GET_ITEM(words, w)))
                    return 1;
            }
        }
    }
    return 0;
}

/* Whether text[end - len(word) : end] == word, for an ASCII word. */
static int
ascii_ends_with(int kind, const void *data, Py_ssize_t end, const char *word)
{
    Py_ssize_t n = (Py_ssize_t)strlen(word);
    if (n > end)
        return 0;
    for (Py_ssize_t k = 0; k < n; k++) {
        if (PyUnicode_READ(kind, data, end - n + k) != (Py_UCS4)(unsigned char)word[k])
            return 0;
    }
    return 1;
}

/* extract.dates._needs_full_candidates: _LOWER_HINT (a 1 or 2 after whitespace or a hyphen, after
 * "the" or a season and one or two whitespace characters, or after early, mid or late and one
 * whitespace character or hyphen), or a decimal digit other than 0-9. */
static int
full_candidates(PyObject *text)
{
    static const char *const spaced[] = {"the", "spring", "summer", "fall", "autumn", "winter", NULL};
    static const char *const joined[] = {"early", "Early", "mid", "Mid", "late", "Late", NULL};
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    int ascii = PyUnicode_IS_ASCII(text);
    for (Py_ssize_t i = 0; i < n; i++) {
        if (kind == PyUnicode_1BYTE_KIND && ascii) {
            const Py_UCS1 *chars = (const Py_UCS1 *)data;
            while (i < n && chars[i] != '1' && chars[i] != '2')
                i++;
            if (i == n)
                break;
        }
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (c != '1' && c != '2') {
            if (c >= 128 && Py_UNICODE_ISDECIMAL(c))
                return 1;
            continue;
        }
        if (i == 0)
            continue;
        Py_UCS4 before = PyUnicode_READ(kind, data, i - 1);
        int space = Py_UNICODE_ISSPACE(before);
        if (!space && before != '-')
            continue;
        for (const char *const *w = joined; *w != NULL; w++) {
            if (ascii_ends_with(kind, data, i - 1, *w))
                return 1;
        }
        if (!space)
            continue;
        for (Py_ssize_t gap = 1; gap <= 2; gap++) {
            if (gap == 2 && (i < 2 || !Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, i - 2))))
                break;
            for (const char *const *w = spaced; *w != NULL; w++) {
                if (ascii_ends_with(kind, data, i - gap, *w))
                    return 1;
            }
        }
    }
    return 0;
}

/* A test of one text as a Python function: the answer as a bool, or TypeError naming `signature`. */
static PyObject *
test_text(PyObject *text, int (*test)(PyObject *), const char *signature)
{
    if (!PyUnicode_Check(text)) {
        PyErr_SetString(PyExc_TypeError, signature);
        return NULL;
    }
    return PyBool_FromLong(test(text));
}

static PyObject *
needs_full_candidates(PyObject *self, PyObject *text)
{
    return test_text(text, full_candidates, "needs_full_candidates(text: str)");
}

static PyObject *
may_hold_date(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2 || check_words(args[0]) < 0 || !PyUnicode_Check(args[1])) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_TypeError, "may_hold_date(month_words: tuple[str, ...], text: str)");
        return NULL;
    }
    return PyBool_FromLong(holds_date(args[0], args[1]));
}

/* _LEAD_IN_OR_ENUMERATION: a colon with only whitespace after it to the end ("... five steps:"),
 * or one opening an inline enumeration: spaces, tabs or line breaks, then "1)", "a)", "(1)" or "(a)". */
static int
lead_in_or_enumeration(int kind, const void *data, Py_ssize_t n)
{
    for (Py_ssize_t i = 0; i < n; i++) {
        if (kind == PyUnicode_1BYTE_KIND) {
            const Py_UCS1 *colon = memchr((const Py_UCS1 *)data + i, ':', (size_t)(n - i));
            if (colon == NULL)
                return 0;
            i = colon - (const Py_UCS1 *)data;
        }
        else if (PyUnicode_READ(kind, data, i) != ':')
            continue;
        Py_ssize_t j = i + 1;
        while (j < n && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, j)))
            j++;
        if (j == n)
            return 1;
        j = i + 1;
        while (j < n) {
            Py_UCS4 c = PyUnicode_READ(kind, data, j);
            if (c != ' ' && c != '\t' && c != '\n')
                break;
            j++;
        }
        if (j < n && PyUnicode_READ(kind, data, j) == '(')
            j++;
        if (j + 1 < n) {
            Py_UCS4 c = PyUnicode_READ(kind, data, j);
            if ((c == '1' || c == 'a') && PyUnicode_READ(kind, data, j + 1) == ')')
                return 1;
        }
    }
    return 0;
}

/* Whether the lower-cased ASCII text holds `word` (which it cannot unless ASCII too). */
static int
holds_word(const char *low, Py_ssize_t n, PyObject *word)
{
    if (!PyUnicode_IS_ASCII(word))
        return 0;
    const char *w = (const char *)PyUnicode_1BYTE_DATA(word);
    Py_ssize_t m = PyUnicode_GET_LENGTH(word);
    if (m == 0)
        return 1;
    /* memchr to each place the first character is, memcmp there (memmem is not everywhere) */
    for (const char *at = low, *end = low + n - m + 1; at < end; at++) {
        at = memchr(at, w[0], (size_t)(end - at));
        if (at == NULL)
            return 0;
        if (memcmp(at + 1, w + 1, (size_t)(m - 1)) == 0)
            return 1;
    }
    return 0;
}

/* Whether `pairs` is a tuple of (str, tuple of str) pairs (stems and their plurals, label openers
 * and their rests): 0, or -1 with a TypeError naming `what`. */
static int
check_pairs(PyObject *pairs, const char *what)
{
    if (!PyTuple_Check(pairs))
        goto wrong;
    for (Py_ssize_t s = 0; s < PyTuple_GET_SIZE(pairs); s++) {
        PyObject *pair = PyTuple_GET_ITEM(pairs, s);
        if (!PyTuple_Check(pair) || PyTuple_GET_SIZE(pair) != 2 || !PyUnicode_Check(PyTuple_GET_ITEM(pair, 0))
            || !PyTuple_Check(PyTuple_GET_ITEM(pair, 1)))
            goto wrong;
        PyObject *words = PyTuple_GET_ITEM(pair, 1);
        for (Py_ssize_t w = 0; w < PyTuple_GET_SIZE(words); w++) {
            if (!PyUnicode_Check(PyTuple_GET_ITEM(words, w)))
                goto wrong;
        }
    }
    return 0;
wrong:
    PyErr_Format(PyExc_TypeError, "%s must be a tuple of (str, tuple of str) pairs", what);
    return -1;
}

/* Outline.may_compare: a lead-in, or text.lower() holding a plural of one of the (stem, plurals) pairs,
 * tested only where it holds the stem. Text that is not ASCII is lower-cased by str.lower itself.
 * 1, 0, or -1 with an exception set. */
static int
compares(PyObject *stems, PyObject *text)
{
    Py_ssize_t nstems = PyTuple_GET_SIZE(stems);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    if (lead_in_or_enumeration(PyUnicode_KIND(text), PyUnicode_DATA(text), n))
        return 1;
    if (nstems == 0)
        return 0;
    if (PyUnicode_IS_ASCII(text)) {
        /* str.lower of ASCII lower-cases A-Z only: done into a buffer, then searched. */
        char small[1024], *low = n <= (Py_ssize_t)sizeof(small) ? small : PyMem_Malloc((size_t)n);
        if (low == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        const Py_UCS1 *ascii = PyUnicode_1BYTE_DATA(text);
        for (Py_ssize_t i = 0; i < n; i++)
            low[i] = (char)Py_TOLOWER(ascii[i]);
        int found = 0;
        for (Py_ssize_t s = 0; s < nstems && !found; s++) {
            PyObject *pair = PyTuple_GET_ITEM(stems, s);
            if (!holds_word(low, n, PyTuple_GET_ITEM(pair, 0)))
                continue;
            PyObject *plurals = PyTuple_GET_ITEM(pair, 1);
            for (Py_ssize_t p = 0; p < PyTuple_GET_SIZE(plurals) && !found; p++)
                found = holds_word(low, n, PyTuple_GET_ITEM(plurals, p));
        }
        if (low != small)
            PyMem_Free(low);
        return found;
    }
    PyObject *low = PyObject_CallMethod(text, "lower", NULL);
    if (low == NULL)
        return -1;
    int found = 0;
    for (Py_ssize_t s = 0; s < nstems && found == 0; s++) {
        PyObject *pair = PyTuple_GET_ITEM(stems, s);
        int has = PyUnicode_Contains(low, PyTuple_GET_ITEM(pair, 0));
        if (has <= 0) {
            found = has;
            continue;
        }
        PyObject *plurals = PyTuple_GET_ITEM(pair, 1);
        for (Py_ssize_t p = 0; p < PyTuple_GET_SIZE(plurals) && found == 0; p++)
            found = PyUnicode_Contains(low, PyTuple_GET_ITEM(plurals, p));
    }
    Py_DECREF(low);
    return found;
}

static PyObject *
may_compare(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2 || check_pairs(args[0], "stems") < 0 || !PyUnicode_Check(args[1])) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_TypeError, "may_compare(stems: tuple[tuple[str, tuple[str, ...]], ...], text: str)");
        return NULL;
    }
    int r = compares(args[0], args[1]);
    return r < 0 ? NULL : PyBool_FromLong(r);
}

static PyObject *s_kind, *s_text, *s_parent, *s_code, *s_html, *s_paragraph, *s_heading, *s_item, *s_empty;

/* The class whose kind, text and parent slots are read directly (the first block's, if it has them). */
static PyTypeObject *block_type;
static Py_ssize_t off_kind, off_text, off_parent;

static void
learn_layout(PyObject *block)
{
    static const char *const names[] = {"kind", "text", "parent"};
    Py_ssize_t offsets[3];
    PyTypeObject *tp = Py_TYPE(block);
    if (tp == block_type || !slot_offsets((PyObject *)tp, names, 3, offsets))
        return;
    off_kind = offsets[0];
    off_text = offsets[1];
    off_parent = offsets[2];
    Py_INCREF(tp);
    Py_XSETREF(block_type, tp);
}

/* An attribute of a block: read from its slot when the block is of block_type, else looked up. */
static PyObject *
block_attr(PyObject *block, PyObject *name, Py_ssize_t offset)
{
    if (Py_TYPE(block) == block_type) {
        PyObject *v = SLOT_AT(block, offset);
        if (v != NULL)
            return Py_NewRef(v);
    }
    return PyObject_GetAttr(block, name);
}

/* A block's kind and text (new references), or -1 with an exception set. */
static int
kind_and_text(PyObject *block, PyObject **kind, PyObject **text)
{
    *kind = block_attr(block, s_kind, off_kind);
    *text = *kind ? block_attr(block, s_text, off_text) : NULL;
    if (*text == NULL || !PyUnicode_Check(*kind) || !PyUnicode_Check(*text)) {
        if (*text != NULL)
            PyErr_SetString(PyExc_TypeError, "a block's kind and text must be strings");
        Py_XDECREF(*kind);
        Py_XDECREF(*text);
        return -1;
    }
    return 0;
}

static int
same_text(PyObject *a, PyObject *b)
{
    if (a == b)
        return 1;
    if (PyUnicode_CHECK_INTERNED(a) && PyUnicode_CHECK_INTERNED(b))
        return 0; /* kinds are interned: two of them are equal only if one */
    return PyUnicode_Compare(a, b) == 0;
}

static int
is_prose(PyObject *kind)
{
    return !same_text(kind, s_code) && !same_text(kind, s_html);
}

/* A loose item's first paragraph, whose text its item shares: 1, 0, or -1 with an exception set. */
static int
item_text(PyObject *blocks, PyObject *block, PyObject *kind, PyObject *text)
{
    if (!same_text(kind, s_paragraph))
        return 0;
    PyObject *parent = block_attr(block, s_parent, off_parent);
    if (parent == NULL)
        return -1;
    if (parent == Py_None) {
        Py_DECREF(parent);
        return 0;
    }
    Py_ssize_t k = PyLong_AsSsize_t(parent);
    Py_DECREF(parent);
    if (k == -1 && PyErr_Occurred())
        return -1;
    if (k < 0 || k >= PyList_GET_SIZE(blocks)) {
        PyErr_SetString(PyExc_IndexError, "a block's parent is not a block");
        return -1;
    }
    PyObject *parent_text = block_attr(PyList_GET_ITEM(blocks, k), s_text, off_text);
    if (parent_text == NULL)
        return -1;
    Py_DECREF(parent_text);
    return parent_text == text;
}

/* The blocks of the list that `choose` keeps (1), given its argument, the list, the block and the
 * block's kind and text; -1 (an exception set) stops the scan. */
static PyObject *
select_blocks(PyObject *blocks, void *arg, int (*choose)(void *, PyObject *, PyObject *, PyObject *, PyObject *))
{
    if (!PyList_Check(blocks)) {
        PyErr_SetString(PyExc_TypeError, "blocks must be a list");
        return NULL;
    }
    PyObject *out = PyList_New(0);
    if (out == NULL)
        return NULL;
    if (PyList_GET_SIZE(blocks) > 0)
        learn_layout(PyList_GET_ITEM(blocks, 0));
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(blocks); i++) {
        PyObject *block = PyList_GET_ITEM(blocks, i), *kind, *text;
        if (kind_and_text(block, &kind, &text) < 0)
            goto fail;
        int keep = choose(arg, blocks, block, kind, text);
        Py_DECREF(kind);
        Py_DECREF(text);
        if (keep < 0 || (keep && PyList_Append(out, block) < 0))
            goto fail;
    }
    return out;
fail:
    Py_DECREF(out);
    return NULL;
}

/* dated_blocks: a prose block whose text may hold a date. */
static int
choose_dated(void *words, PyObject *blocks, PyObject *block, PyObject *kind, PyObject *text)
{
    return is_prose(kind) ? holds_date((PyObject *)words, text) : 0;
}

static PyObject *
dated_blocks(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2 || check_words(args[1]) < 0) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_TypeError, "dated_blocks(blocks: list[Block], month_words: tuple[str, ...])");
        return NULL;
    }
    return select_blocks(args[0], args[1], choose_dated);
}

/* extract.counts.may_hold_cardinal: whether an ASCII text has a digit, or at the start of a word
 * (no letter, digit or underscore before it) the beginning of a number word, in any case; every
 * claim counts with one. A text beyond ASCII may (case-insensitive matching is wider there). */
static const char *const number_words[] = {
    "two", "three", "ten", "twelve", "thirt", "twent", "four", "five", "fift", "fort", "six", "seven",
    "eight", "eleven", "nine", "dozen", NULL,
};

static int
holds_cardinal(PyObject *text)
{
    if (!PyUnicode_IS_ASCII(text))
        return 1;
    const char *s = (const char *)PyUnicode_1BYTE_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    for (Py_ssize_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= '0' && c <= '9')
            return 1;
        if (i > 0 && (Py_ISALNUM(s[i - 1]) || s[i - 1] == '_'))
            continue;
        c = (unsigned char)Py_TOLOWER(c);
        if (c != 't' && c != 'f' && c != 's' && c != 'e' && c != 'n' && c != 'd')
            continue;
        for (const char *const *w = number_words; *w != NULL; w++) {
            Py_ssize_t k = 0;
            while ((*w)[k] != '\0' && i + k < n && Py_TOLOWER(s[i + k]) == (*w)[k])
                k++;
            if ((*w)[k] == '\0')
                return 1;
        }
    }
    return 0;
}

static PyObject *
may_hold_cardinal(PyObject *self, PyObject *text)
{
    return test_text(text, holds_cardinal, "may_hold_cardinal(text: str)");
}

/* comparable_blocks: a prose block, not a loose item's first paragraph (read as its item), in whose
 * text a claim could be compared with something (compares) and which may hold its count. */
static int
choose_comparable(void *stems, PyObject *blocks, PyObject *block, PyObject *kind, PyObject *text)
{
    if (!is_prose(kind))
        return 0;
    int shared = item_text(blocks, block, kind, text);
    if (shared != 0)
        return shared < 0 ? -1 : 0;
    int r = compares((PyObject *)stems, text);
    return r > 0 ? holds_cardinal(text) : r;
}

static PyObject *
comparable_blocks(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2 || check_pairs(args[1], "stems") < 0) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_TypeError, "comparable_blocks(blocks: list[Block], stems: tuple)");
        return NULL;
    }
    return select_blocks(args[0], args[1], choose_comparable);
}

/* The label openers (extract.enumerations._openers): groups of (first, rests), `first` the
 * characters a noun's first letter may be, `rests` the rest of each noun starting with it. For an
 * ASCII character, `groups_of` has the bit of each group whose first characters include it (when
 * there are at most 64 groups; else `usable` is 0 and every group is tried). */
typedef struct {
    PyObject *openers;
    uint64_t groups_of[128];
    int usable;
} Openers;

static void
openers_index(Openers *o, PyObject *openers)
{
    Py_ssize_t ngroups = PyTuple_GET_SIZE(openers);
    o->openers = openers;
    memset(o->groups_of, 0, sizeof o->groups_of);
    o->usable = ngroups <= 64;
    for (Py_ssize_t g = 0; g < ngroups && o->usable; g++) {
        PyObject *first = PyTuple_GET_ITEM(PyTuple_GET_ITEM(openers, g), 0);
        for (Py_ssize_t k = 0; k < PyUnicode_GET_LENGTH(first); k++) {
            Py_UCS4 c = PyUnicode_READ_CHAR(first, k);
            if (c < 128)
                o->groups_of[c] |= (uint64_t)1 << g;
        }
    }
}

/* Whether `rest` then ".", " " or a tab is at `at` in the text. */
static int
rest_at(int kind, const void *data, Py_ssize_t n, Py_ssize_t at, PyObject *rest)
{
    Py_ssize_t r = PyUnicode_GET_LENGTH(rest);
    if (at + r >= n)
        return 0; /* no room for the rest and the character after it */
    int rkind = PyUnicode_KIND(rest);
    const void *rdata = PyUnicode_DATA(rest);
    for (Py_ssize_t k = 0; k < r; k++) {
        if (PyUnicode_READ(kind, data, at + k) != PyUnicode_READ(rkind, rdata, k))
            return 0;
    }
    Py_UCS4 after = PyUnicode_READ(kind, data, at + r);
    return after == '.' || after == ' ' || after == '\t';
}

static int
group_opens(PyObject *group, int kind, const void *data, Py_ssize_t n, Py_ssize_t at)
{
    PyObject *rests = PyTuple_GET_ITEM(group, 1);
    for (Py_ssize_t k = 0; k < PyTuple_GET_SIZE(rests); k++) {
        if (rest_at(kind, data, n, at + 1, PyTuple_GET_ITEM(rests, k)))
            return 1;
    }
    return 0;
}

/* _label_start(openers, marks) of extract.enumerations: after any run of the characters of `marks`,
 * then whitespace, a noun of the openers (its first letter small or capital, the rest exactly), then
 * ".", " " or a tab. */
static int
opens_with_label(const Openers *o, PyObject *marks, PyObject *text)
{
    Py_ssize_t ngroups = PyTuple_GET_SIZE(o->openers);
    if (ngroups == 0)
        return 0;
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text), i = 0;
    int mkind = PyUnicode_KIND(marks);
    const void *mdata = PyUnicode_DATA(marks);
    Py_ssize_t nmarks = PyUnicode_GET_LENGTH(marks);
    for (; i < n; i++) { /* possessive, as the pattern's [marks]*+ */
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        Py_ssize_t m = 0;
        while (m < nmarks && PyUnicode_READ(mkind, mdata, m) != c)
            m++;
        if (m == nmarks)
            break;
    }
    while (i < n && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, i)))
        i++;
    if (i == n)
        return 0;
    Py_UCS4 c = PyUnicode_READ(kind, data, i);
    if (c < 128 && o->usable) {
        uint64_t bits = o->groups_of[c];
        for (Py_ssize_t g = 0; bits; g++, bits >>= 1) {
            if ((bits & 1) && group_opens(PyTuple_GET_ITEM(o->openers, g), kind, data, n, i))
                return 1;
        }
        return 0;
    }
    for (Py_ssize_t g = 0; g < ngroups; g++) {
        PyObject *group = PyTuple_GET_ITEM(o->openers, g), *first = PyTuple_GET_ITEM(group, 0);
        if (PyUnicode_FindChar(first, c, 0, PyUnicode_GET_LENGTH(first), 1) >= 0 && group_opens(group, kind, data, n, i))
            return 1;
    }
    return 0;
}

static PyObject *
may_open_with_label(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 3 || check_pairs(args[0], "openers") < 0 || !PyUnicode_Check(args[1]) || !PyUnicode_Check(args[2])) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_TypeError, "may_open_with_label(openers: tuple[tuple[str, tuple[str, ...]], ...], marks: str, text: str)");
        return NULL;
    }
    Openers o;
    openers_index(&o, args[0]);
    return PyBool_FromLong(opens_with_label(&o, args[1], args[2]));
}

typedef struct {
    Openers series, captions;
    PyObject *marks;
} Labels;

/* label_blocks: every heading, an item that may open with a series label, a paragraph that may open
 * (after the marks) with a caption label. */
static int
choose_label(void *arg, PyObject *blocks, PyObject *block, PyObject *kind, PyObject *text)
{
    const Labels *labels = arg;
    if (same_text(kind, s_heading))
        return 1;
    if (same_text(kind, s_item))
        return opens_with_label(&labels->series, s_empty, text);
    if (same_text(kind, s_paragraph))
        return opens_with_label(&labels->captions, labels->marks, text);
    return 0;
}

/* label_blocks(blocks, series, captions, marks): the headings, the items whose text may open with a
 * label of the `series` openers, and the paragraphs whose text may, after `marks`, open with one of
 * the `captions` openers, in order (extract.enumerations._label_blocks_py). */
static PyObject *
label_blocks(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 4 || !PyList_Check(args[0]) || check_pairs(args[1], "openers") < 0 || check_pairs(args[2], "openers") < 0
        || !PyUnicode_Check(args[3])) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_TypeError, "label_blocks(blocks: list[Block], series: tuple, captions: tuple, marks: str)");
        return NULL;
    }
    Labels labels;
    openers_index(&labels.series, args[1]);
    openers_index(&labels.captions, args[2]);
    labels.marks = args[3];
    return select_blocks(args[0], &labels, choose_label);
}

static PyMethodDef methods[] = {
    {"may_hold_date", (PyCFunction)(void (*)(void))may_hold_date, METH_FASTCALL,
     "may_hold_date(month_words, text) -> bool\n"
     "Whether text holds a year-like number or a day after one of month_words (extract.dates._MAY_HOLD_DATE)."},
    {"needs_full_candidates", (PyCFunction)needs_full_candidates, METH_O,
     "needs_full_candidates(text) -> bool\n"
     "Whether a date in text may start with a lower-case word or a digit other than 0-9 (extract.dates)."},
    {"may_compare", (PyCFunction)(void (*)(void))may_compare, METH_FASTCALL,
     "may_compare(stems, text) -> bool\n"
     "Whether text has a lead-in colon or, lower-cased, a plural of the (stem, plurals) pairs (extract.enumerations)."},
    {"dated_blocks", (PyCFunction)(void (*)(void))dated_blocks, METH_FASTCALL,
     "dated_blocks(blocks, month_words) -> list\n"
     "The blocks, code and HTML left out, whose text may hold a date."},
    {"may_open_with_label", (PyCFunction)(void (*)(void))may_open_with_label, METH_FASTCALL,
     "may_open_with_label(openers, marks, text) -> bool\n"
     "Whether text, after any of marks and whitespace, opens with a label noun (extract.enumerations._label_start)."},
    {"label_blocks", (PyCFunction)(void (*)(void))label_blocks, METH_FASTCALL,
     "label_blocks(blocks, series, captions, marks) -> list\n"
     "The headings, the items that may open with a series label, the paragraphs that may open with a caption."},
    {"comparable_blocks", (PyCFunction)(void (*)(void))comparable_blocks, METH_FASTCALL,
     "comparable_blocks(blocks, stems) -> list\n"
     "The prose blocks, a loose item's first paragraph left out, whose text may_compare and may hold a cardinal."},
    {"may_hold_cardinal", (PyCFunction)may_hold_cardinal, METH_O,
     "may_hold_cardinal(text) -> bool\n"
     "Whether text may hold a count: a digit or a number word at a word start (extract.counts.may_hold_cardinal)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "postlint._textscan", "Quick tests of block texts, in C.", -1, methods, NULL, NULL, NULL, NULL,
};

#define INTERN(var, text) if ((var = PyUnicode_InternFromString(text)) == NULL) return NULL

PyMODINIT_FUNC
PyInit__textscan(void)
{
    INTERN(s_kind, "kind");
    INTERN(s_text, "text");
    INTERN(s_parent, "parent");
    INTERN(s_code, "code");
    INTERN(s_html, "html");
    INTERN(s_paragraph, "paragraph");
    INTERN(s_heading, "heading");
    INTERN(s_item, "item");
    INTERN(s_empty, "");
    return PyModule_Create(&module);
}
