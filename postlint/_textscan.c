/* postlint._textscan: quick tests the rules run on every block's text, in C.
 *
 * Each function answers exactly what a regular expression of the rules answers (the
 * Python fallback next to its caller); tests hold the two equal on generated texts.
 * They are prefilters: most texts fail them, and a search in Python costs a call and
 * a scan per block.
 *
 * may_hold_date(month_words, text) -> bool
 *     extract.dates._MAY_HOLD_DATE.search(text) is not None
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

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

/* _MAY_HOLD_DATE: an ASCII digit that opens a year-like number ("1" and three digits, "20" or
 * "21" and two: \d, any decimal digit, after the first), or that follows one of month_words and
 * one or two whitespace characters ("June 5"), the character before the whitespace being a
 * letter, a dot or whitespace. */
static PyObject *
may_hold_date(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2 || !PyTuple_Check(args[0]) || !PyUnicode_Check(args[1])) {
        PyErr_SetString(PyExc_TypeError, "may_hold_date(month_words: tuple[str, ...], text: str)");
        return NULL;
    }
    PyObject *words = args[0], *text = args[1];
    Py_ssize_t nwords = PyTuple_GET_SIZE(words);
    for (Py_ssize_t w = 0; w < nwords; w++) {
        if (!PyUnicode_Check(PyTuple_GET_ITEM(words, w))) {
            PyErr_SetString(PyExc_TypeError, "month_words must be strings");
            return NULL;
        }
    }
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (!ascii_digit(c))
            continue;
        if (i + 3 < n && Py_UNICODE_ISDECIMAL(PyUnicode_READ(kind, data, i + 2))
            && Py_UNICODE_ISDECIMAL(PyUnicode_READ(kind, data, i + 3))) {
            Py_UCS4 next = PyUnicode_READ(kind, data, i + 1);
            if (c == '1' ? Py_UNICODE_ISDECIMAL(next) : c == '2' && (next == '0' || next == '1'))
                Py_RETURN_TRUE;
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
                    Py_RETURN_TRUE;
            }
        }
    }
    Py_RETURN_FALSE;
}

static PyMethodDef methods[] = {
    {"may_hold_date", (PyCFunction)(void (*)(void))may_hold_date, METH_FASTCALL,
     "may_hold_date(month_words, text) -> bool\n"
     "Whether text holds a year-like number or a day after one of month_words (extract.dates._MAY_HOLD_DATE)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "postlint._textscan", "Quick tests of block texts, in C.", -1, methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC
PyInit__textscan(void)
{
    return PyModule_Create(&module);
}
