/* postlint._yamlsimple: the front-matter subset of postlint.yamlsimple, read in C.
 *
 * The corpora's 4,469 YAML front-matters take libyaml 0.43 s with their node objects and marks;
 * nine in ten are block mappings and lists of one-line scalars, which this reads in a small part
 * of that. postlint.yamlsimple (the Python parser) stays the reference, and the fallback where no
 * compiler built this module: tests hold the two equal, and both equal to libyaml.
 *
 * configure(Node, scalar_value, Unsupported, typed_first) -> None, once:
 *   Node(id, value, line, column) makes a node; scalar_value(text) types a plain scalar, raising
 *   Unsupported for a type left to libyaml; typed_first holds the first characters a plain scalar
 *   must have to be typed at all (the others are strings, "" is typed too).
 * load(raw) -> (data, root node, whether some mapping repeats a key), or None: not in the subset.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>

#include "_slots.h"

#define MAX_DEPTH 40 /* yamlsimple._MAX_DEPTH */
#define MAX_KEY 1000

static PyObject *node_type, *scalar_value, *unsupported_exc, *typed_first;
/* scalar_value's results by text (dates, numbers, keys like "title"): 7,659 texts for the corpora's
 * 37,986 typed scalars. Its values are immutable (str, int, float, bool, None, date, datetime). */
static PyObject *typed_cache;
#define CACHE_SIZE 8192
static PyObject *s_scalar, *s_mapping, *s_sequence, *s_empty;
static int native; /* nodes made by filling the slots of node_type */
static Py_ssize_t slot[4];
static const char *const slot_names[4] = {"id", "value", "line", "column"};

enum { OK = 0, UNSUPPORTED = 1, ERROR = -1 };

typedef struct {
    Py_ssize_t line, indent, start, end; /* start: first character after the indent; end: after the last non-space */
} Line;

typedef struct {
    PyObject *raw;
    int kind;
    const void *data;
    Line *lines;
    Py_ssize_t n, k;
    int repeats;
} Parser;

#define CH(p, i) PyUnicode_READ((p)->kind, (p)->data, (i))

static int
is_indicator(Py_UCS4 c)
{
    return c < 128 && c && strchr("-?:,[]{}#&*!|>'\"%@`", (int)c) != NULL;
}

/* What libyaml reads as a break or rejects, or what it reads differently from a split on "\n". */
static int
unusual(Py_UCS4 c)
{
    if (c == '\n' || (c >= 0x20 && c <= 0x7e))
        return 0;
    if (c >= 0xa0 && c <= 0xfefe)
        return c == 0x2028 || c == 0x2029 || (c >= 0xd800 && c <= 0xdfff);
    return !((c >= 0xff00 && c <= 0xfffd) || (c >= 0x10000 && c <= 0x10ffff));
}

static PyObject *
new_node(PyObject *id, PyObject *value, Py_ssize_t line, Py_ssize_t column)
{
    PyObject *l = PyLong_FromSsize_t(line), *c = l ? PyLong_FromSsize_t(column) : NULL;
    if (c == NULL) {
        Py_XDECREF(l);
        return NULL;
    }
    PyObject *node;
    if (native) {
        PyTypeObject *tp = (PyTypeObject *)node_type;
        node = tp->tp_alloc(tp, 0);
        if (node != NULL) {
            Py_INCREF(id);
            Py_INCREF(value);
            SLOT_AT(node, slot[0]) = id;
            SLOT_AT(node, slot[1]) = value;
            SLOT_AT(node, slot[2]) = l;
            SLOT_AT(node, slot[3]) = c;
            return node;
        }
    } else {
        PyObject *args[4] = {id, value, l, c};
        node = PyObject_Vectorcall(node_type, args, 4, NULL);
    }
    Py_DECREF(l);
    Py_DECREF(c);
    return node;
}

/* The value of a plain scalar: typed by scalar_value when its first character may make it so. */
static int
typed(PyObject *text, PyObject **out)
{
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    if (n > 0) {
        Py_UCS4 c = PyUnicode_READ_CHAR(text, 0);
        if (PyUnicode_FindChar(typed_first, c, 0, PyUnicode_GET_LENGTH(typed_first), 1) < 0) {
            Py_INCREF(text);
            *out = text;
            return OK;
        }
    }
    PyObject *known = PyDict_GetItemWithError(typed_cache, text);
    if (known != NULL) {
        Py_INCREF(known);
        *out = known;
        return OK;
    }
    if (PyErr_Occurred())
        return ERROR;
    *out = PyObject_CallOneArg(scalar_value, text);
    if (*out != NULL) {
        if (PyDict_GET_SIZE(typed_cache) < CACHE_SIZE && PyDict_SetItem(typed_cache, text, *out) < 0) {
            Py_CLEAR(*out);
            return ERROR;
        }
        return OK;
    }
    if (PyErr_ExceptionMatches(unsupported_exc)) {
        PyErr_Clear();
        return UNSUPPORTED;
    }
    return ERROR;
}

static int
is_entry(Parser *p, Py_ssize_t s, Py_ssize_t e)
{
    /* "- item", or "-" alone */
    return CH(p, s) == '-' && (e - s == 1 || CH(p, s + 1) == ' ');
}

static int comment_only(Parser *p, Py_ssize_t i, Py_ssize_t e)
{
    if (i >= e)
        return 1;
    if (CH(p, i) != ' ')
        return 0;
    while (i < e && CH(p, i) == ' ')
        i++;
    return i < e && CH(p, i) == '#';
}

/* The quoted scalar at i: its value and where it ends. Double: no escapes; single: '' for '. */
static int
quoted(Parser *p, Py_ssize_t i, Py_ssize_t e, PyObject **value, Py_ssize_t *after)
{
    Py_UCS4 q = CH(p, i);
    if (q == '"') {
        for (Py_ssize_t j = i + 1; j < e; j++) {
            Py_UCS4 c = CH(p, j);
            if (c == '\\')
                return UNSUPPORTED;
            if (c == '"') {
                *value = PyUnicode_Substring(p->raw, i + 1, j);
                *after = j + 1;
                return *value ? OK : ERROR;
            }
        }
        return UNSUPPORTED;
    }
    Py_ssize_t j = i + 1;
    int doubled = 0;
    for (;;) {
        while (j < e && CH(p, j) != '\'')
            j++;
        if (j >= e)
            return UNSUPPORTED;
        if (j + 1 < e && CH(p, j + 1) == '\'') {
            doubled = 1;
            j += 2;
            continue;
        }
        break;
    }
    PyObject *v = PyUnicode_Substring(p->raw, i + 1, j);
    if (v != NULL && doubled) {
        PyObject *two = PyUnicode_FromString("''"), *one = two ? PyUnicode_FromString("'") : NULL;
        PyObject *r = one ? PyUnicode_Replace(v, two, one, -1) : NULL;
        Py_XDECREF(two);
        Py_XDECREF(one);
        Py_SETREF(v, r);
    }
    *value = v;
    *after = j + 1;
    return v ? OK : ERROR;
}

static int
is_space(Py_UCS4 c)
{
    return Py_UNICODE_ISSPACE(c);
}

/* A one-line flow sequence of plain or quoted scalars at i (a "["), to e. */
static int
flow(Parser *p, Py_ssize_t i, Py_ssize_t e, Py_ssize_t line, Py_ssize_t column, PyObject **value, PyObject **node)
{
    PyObject *data = PyList_New(0), *items = data ? PyList_New(0) : NULL;
    if (items == NULL) {
        Py_XDECREF(data);
        return ERROR;
    }
    Py_ssize_t q = i + 1;
    int rc = UNSUPPORTED;
    for (;;) {
        while (q < e && CH(p, q) == ' ')
            q++;
        if (q < e && CH(p, q) == ']' && PyList_GET_SIZE(items) == 0) {
            q++;
            break;
        }
        if (q >= e)
            goto done;
        Py_ssize_t start = q;
        PyObject *v = NULL, *text = NULL;
        Py_UCS4 c = CH(p, q);
        if (c == '"' || c == '\'') {
            rc = quoted(p, q, e, &v, &q);
            if (rc != OK)
                goto done;
            text = PyUnicode_Substring(p->raw, start, q);
        } else {
            if (is_indicator(c) || is_space(c)) {
                rc = UNSUPPORTED;
                goto done;
            }
            Py_ssize_t j = q + 1;
            while (j < e) {
                Py_UCS4 d = CH(p, j);
                if (d < 128 && d && strchr(",[]{}#:", (int)d) != NULL)
                    break;
                j++;
            }
            while (j > q && CH(p, j - 1) == ' ')
                j--;
            text = PyUnicode_Substring(p->raw, q, j);
            q = j;
            if (text != NULL) {
                rc = typed(text, &v);
                if (rc != OK) {
                    Py_DECREF(text);
                    goto done;
                }
            }
        }
        rc = ERROR;
        PyObject *n = text ? new_node(s_scalar, text, line, column + (start - i)) : NULL;
        Py_XDECREF(text);
        if (n == NULL || PyList_Append(data, v) < 0 || PyList_Append(items, n) < 0) {
            Py_XDECREF(v);
            Py_XDECREF(n);
            goto done;
        }
        Py_DECREF(v);
        Py_DECREF(n);
        while (q < e && CH(p, q) == ' ')
            q++;
        rc = UNSUPPORTED;
        if (q < e && CH(p, q) == ',')
            q++;
        else if (q < e && CH(p, q) == ']') {
            q++;
            break;
        } else
            goto done;
    }
    rc = UNSUPPORTED;
    if (!comment_only(p, q, e))
        goto done;
    rc = ERROR;
    *node = new_node(s_sequence, items, line, column);
    if (*node == NULL)
        goto done;
    *value = data;
    Py_DECREF(items);
    return OK;
done:
    Py_DECREF(data);
    Py_DECREF(items);
    return rc;
}

/* A one-line value from i to e: quoted, a flow sequence, or plain (its comment cut). */
static int
scalar(Parser *p, Py_ssize_t i, Py_ssize_t e, Py_ssize_t line, Py_ssize_t column, PyObject **value, PyObject **node)
{
    Py_UCS4 c = CH(p, i);
    PyObject *v = NULL;
    Py_ssize_t end = e;
    if (c == '"' || c == '\'') {
        Py_ssize_t after;
        int rc = quoted(p, i, e, &v, &after);
        if (rc != OK)
            return rc;
        if (!comment_only(p, after, e)) {
            Py_DECREF(v);
            return UNSUPPORTED;
        }
    } else if (c == '[') {
        return flow(p, i, e, line, column, value, node);
    } else {
        if (is_indicator(c) && !(c == '-' && e - i > 1 && CH(p, i + 1) != ' '))
            return UNSUPPORTED;
        for (Py_ssize_t j = i; j + 1 < e; j++) {
            if (CH(p, j) == ' ' && CH(p, j + 1) == '#') {
                end = j;
                while (end > i && CH(p, end - 1) == ' ')
                    end--;
                break;
            }
        }
        if (CH(p, end - 1) == ':')
            return UNSUPPORTED;
        for (Py_ssize_t j = i; j + 1 < end; j++)
            if (CH(p, j) == ':' && CH(p, j + 1) == ' ')
                return UNSUPPORTED; /* libyaml: "mapping values are not allowed here" */
    }
    PyObject *text = PyUnicode_Substring(p->raw, i, end);
    if (text == NULL) {
        Py_XDECREF(v);
        return ERROR;
    }
    if (v == NULL) {
        int rc = typed(text, &v);
        if (rc != OK) {
            Py_DECREF(text);
            return rc;
        }
    }
    *node = new_node(s_scalar, text, line, column);
    Py_DECREF(text);
    if (*node == NULL) {
        Py_DECREF(v);
        return ERROR;
    }
    *value = v;
    return OK;
}

/* A block read: `*node` a new node of `id` over `children`, starting where `first` does, and
 * `*value` a new reference to its `data`. */
static int
finish(PyObject *id, PyObject *data, PyObject *children, Line first, PyObject **value, PyObject **node)
{
    *node = new_node(id, children, first.line, first.indent);
    if (*node == NULL)
        return ERROR;
    Py_INCREF(data);
    *value = data;
    return OK;
}

static int mapping(Parser *p, Py_ssize_t indent, int depth, PyObject **value, PyObject **node);
static int sequence(Parser *p, Py_ssize_t indent, int depth, PyObject **value, PyObject **node);

static int
block(Parser *p, Py_ssize_t indent, int depth, PyObject **value, PyObject **node)
{
    Line *l = &p->lines[p->k];
    if (is_entry(p, l->start, l->end))
        return sequence(p, indent, depth, value, node);
    return mapping(p, indent, depth, value, node);
}

static int
mapping(Parser *p, Py_ssize_t indent, int depth, PyObject **value, PyObject **node)
{
    if (depth > MAX_DEPTH)
        return UNSUPPORTED;
    Line first = p->lines[p->k];
    PyObject *data = PyDict_New(), *pairs = PyList_New(0), *keys = PySet_New(NULL);
    int rc = ERROR;
    if (data == NULL || pairs == NULL || keys == NULL)
        goto done;
    while (p->k < p->n) {
        Line *l = &p->lines[p->k];
        Py_ssize_t ind = l->indent, s = l->start, e = l->end, origin = s - ind, line = l->line;
        rc = UNSUPPORTED;
        if (ind != indent) {
            if (ind < indent)
                break;
            goto done; /* more indented: a multi-line scalar, or an error */
        }
        Py_ssize_t colon = -1;
        for (Py_ssize_t j = s; j < e; j++) {
            if (CH(p, j) == ':' && (j + 1 == e || CH(p, j + 1) == ' ')) {
                colon = j;
                break;
            }
        }
        if (colon <= s || is_indicator(CH(p, s)) || CH(p, colon - 1) == ' ' || colon - s > MAX_KEY)
            goto done;
        for (Py_ssize_t j = s; j < colon; j++) {
            Py_UCS4 c = CH(p, j);
            if (c < 128 && c && strchr(",[]{}#", (int)c) != NULL)
                goto done;
        }
        Py_ssize_t r = colon + 1;
        while (r < e && CH(p, r) == ' ')
            r++;
        p->k++;
        PyObject *v = NULL, *vnode = NULL;
        if (r < e && CH(p, r) != '#')
            rc = scalar(p, r, e, line, r - origin, &v, &vnode);
        else if (p->k < p->n && p->lines[p->k].indent > ind)
            rc = block(p, p->lines[p->k].indent, depth + 1, &v, &vnode);
        else if (p->k < p->n && p->lines[p->k].indent == ind && is_entry(p, p->lines[p->k].start, p->lines[p->k].end))
            rc = sequence(p, ind, depth + 1, &v, &vnode); /* a list at its key's indent */
        else {
            /* Nothing: null, marked where libyaml marks it, right after the colon. */
            rc = ERROR;
            vnode = new_node(s_scalar, s_empty, line, colon + 1 - origin);
            if (vnode == NULL)
                goto done;
            Py_INCREF(Py_None);
            v = Py_None;
            rc = OK;
        }
        if (rc != OK)
            goto done;
        PyObject *key = PyUnicode_Substring(p->raw, s, colon), *tkey = NULL, *knode = NULL, *pair = NULL;
        rc = ERROR;
        if (key != NULL) {
            int seen = PySet_Contains(keys, key);
            if (seen > 0)
                p->repeats = 1;
            if (seen >= 0 && PySet_Add(keys, key) == 0)
                rc = typed(key, &tkey);
        }
        if (rc == OK) {
            rc = ERROR;
            knode = new_node(s_scalar, key, line, ind);
            pair = knode ? PyTuple_Pack(2, knode, vnode) : NULL;
            if (pair != NULL && PyDict_SetItem(data, tkey, v) == 0 && PyList_Append(pairs, pair) == 0)
                rc = OK;
        }
        Py_XDECREF(key);
        Py_XDECREF(tkey);
        Py_XDECREF(knode);
        Py_XDECREF(pair);
        Py_DECREF(v);
        Py_DECREF(vnode);
        if (rc != OK)
            goto done;
    }
    rc = finish(s_mapping, data, pairs, first, value, node);
done:
    Py_XDECREF(data);
    Py_XDECREF(pairs);
    Py_XDECREF(keys);
    return rc;
}

static int
sequence(Parser *p, Py_ssize_t indent, int depth, PyObject **value, PyObject **node)
{
    if (depth > MAX_DEPTH)
        return UNSUPPORTED;
    Line first = p->lines[p->k];
    PyObject *data = PyList_New(0), *items = data ? PyList_New(0) : NULL;
    int rc = ERROR;
    if (items == NULL)
        goto done;
    while (p->k < p->n) {
        Line *l = &p->lines[p->k];
        Py_ssize_t ind = l->indent, s = l->start, e = l->end, origin = s - ind;
        rc = UNSUPPORTED;
        if (ind != indent) {
            if (ind < indent)
                break;
            goto done;
        }
        if (!(CH(p, s) == '-' && e - s > 1 && CH(p, s + 1) == ' ')) {
            if (e - s == 1 && CH(p, s) == '-')
                goto done; /* an item on the lines below */
            break;         /* the next key of the mapping that holds the list at its own indent */
        }
        Py_ssize_t r = s + 2;
        while (r < e && CH(p, r) == ' ')
            r++;
        Py_UCS4 c = CH(p, r);
        if (c == '#' || is_entry(p, r, e))
            goto done;
        int entry = 0;
        if (c != '"' && c != '\'' && c != '[' && c != '{') {
            entry = CH(p, e - 1) == ':';
            for (Py_ssize_t j = r; !entry && j + 1 < e; j++)
                entry = CH(p, j) == ':' && CH(p, j + 1) == ' ';
        }
        PyObject *v = NULL, *vnode = NULL;
        if (entry) {
            /* "- key: value": a mapping whose keys line up after the dash */
            l->indent = r - origin;
            l->start = r;
            rc = mapping(p, r - origin, depth + 1, &v, &vnode);
        } else {
            rc = scalar(p, r, e, l->line, r - origin, &v, &vnode);
            p->k++;
        }
        if (rc != OK)
            goto done;
        rc = ERROR;
        int bad = PyList_Append(data, v) < 0 || PyList_Append(items, vnode) < 0;
        Py_DECREF(v);
        Py_DECREF(vnode);
        if (bad)
            goto done;
    }
    rc = finish(s_sequence, data, items, first, value, node);
done:
    Py_XDECREF(data);
    Py_XDECREF(items);
    return rc;
}

static PyObject *
load(PyObject *module, PyObject *raw)
{
    if (node_type == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "_yamlsimple.configure was not called");
        return NULL;
    }
    if (!PyUnicode_Check(raw)) {
        PyErr_SetString(PyExc_TypeError, "load() takes a str");
        return NULL;
    }
    Parser p = {raw, PyUnicode_KIND(raw), PyUnicode_DATA(raw), NULL, 0, 0, 0};
    Py_ssize_t size = PyUnicode_GET_LENGTH(raw), count = 1;
    for (Py_ssize_t i = 0; i < size; i++) {
        Py_UCS4 c = CH(&p, i);
        if (unusual(c))
            Py_RETURN_NONE;
        count += c == '\n';
    }
    p.lines = PyMem_Malloc(sizeof(Line) * count);
    if (p.lines == NULL)
        return PyErr_NoMemory();
    PyObject *result = NULL;
    Py_ssize_t line = 0, i = 0;
    while (i <= size) {
        Py_ssize_t start = i;
        while (i < size && CH(&p, i) == ' ')
            i++;
        Py_ssize_t text = i;
        while (i < size && CH(&p, i) != '\n')
            i++;
        Py_ssize_t end = i;
        while (end > text && CH(&p, end - 1) == ' ')
            end--;
        if (end > text && CH(&p, text) != '#') {
            if (text == start && end - text >= 3) {
                Py_UCS4 c = CH(&p, text);
                if ((c == '-' || c == '.') && CH(&p, text + 1) == c && CH(&p, text + 2) == c)
                    goto none; /* a document marker */
            }
            p.lines[p.n++] = (Line){line, text - start, text, end};
        }
        line++;
        i++;
    }
    if (p.n == 0 || is_entry(&p, p.lines[0].start, p.lines[0].end))
        goto none;
    PyObject *data, *root;
    int rc = mapping(&p, p.lines[0].indent, 0, &data, &root);
    if (rc == ERROR)
        goto out;
    if (rc == UNSUPPORTED)
        goto none;
    if (p.k != p.n) {
        Py_DECREF(data);
        Py_DECREF(root);
        goto none;
    }
    result = Py_BuildValue("(NNO)", data, root, p.repeats ? Py_True : Py_False);
    goto out;
none:
    Py_INCREF(Py_None);
    result = Py_None;
out:
    PyMem_Free(p.lines);
    return result;
}

static PyObject *
configure(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 4 || !PyUnicode_Check(args[3])) {
        PyErr_SetString(PyExc_TypeError, "configure(Node, scalar_value, Unsupported, typed_first)");
        return NULL;
    }
    native = 0;
    if (PyType_Check(args[0])) {
        PyTypeObject *tp = (PyTypeObject *)args[0];
        native = tp->tp_dictoffset == 0 && tp->tp_alloc != NULL && tp->tp_new == PyBaseObject_Type.tp_new &&
                 slot_offsets(args[0], slot_names, 4, slot);
    }
    Py_INCREF(args[0]);
    Py_XSETREF(node_type, args[0]);
    Py_INCREF(args[1]);
    Py_XSETREF(scalar_value, args[1]);
    Py_INCREF(args[2]);
    Py_XSETREF(unsupported_exc, args[2]);
    Py_INCREF(args[3]);
    Py_XSETREF(typed_first, args[3]);
    Py_XSETREF(typed_cache, PyDict_New());
    if (typed_cache == NULL)
        return NULL;
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"configure", (PyCFunction)(void (*)(void))configure, METH_FASTCALL, "Set the node class and the scalar typing."},
    {"load", load, METH_O, "(data, root node, repeats) of a front-matter in the subset, else None."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_yamlsimple", NULL, -1, methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC
PyInit__yamlsimple(void)
{
    if ((s_scalar = PyUnicode_InternFromString("scalar")) == NULL ||
        (s_mapping = PyUnicode_InternFromString("mapping")) == NULL ||
        (s_sequence = PyUnicode_InternFromString("sequence")) == NULL ||
        (s_empty = PyUnicode_InternFromString("")) == NULL)
        return NULL;
    return PyModule_Create(&module);
}
