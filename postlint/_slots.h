/* Reading and filling the __slots__ of a Python class from C: the two C modules read a block's
 * kind, text and parent millions of times a run, and a generic attribute lookup per read costs
 * more than the test it feeds. Only the exact class whose slots were found is read this way;
 * anything else (a subclass, another object) goes through PyObject_GetAttr. */
#ifndef POSTLINT_SLOTS_H
#define POSTLINT_SLOTS_H

#include <Python.h>
#include <structmember.h>

/* The offsets of the slots `names` of class `type` (as its own __slots__ declares them, writable
 * objects): 1 when all were found, 0 when not (then the caller uses attribute lookups). */
static int
slot_offsets(PyObject *type, const char *const *names, int n, Py_ssize_t *offsets)
{
    if (!PyType_Check(type))
        return 0;
    PyObject *dict = ((PyTypeObject *)type)->tp_dict;
    for (int i = 0; i < n; i++) {
        PyObject *d = PyDict_GetItemString(dict, names[i]);
        if (d == NULL || Py_TYPE(d) != &PyMemberDescr_Type)
            return 0;
        PyMemberDef *m = ((PyMemberDescrObject *)d)->d_member;
        if (m->type != T_OBJECT_EX || (m->flags & READONLY))
            return 0;
        offsets[i] = m->offset;
    }
    return 1;
}

/* The slot at `offset` of `obj`: a borrowed reference, NULL when it is unset. */
#define SLOT_AT(obj, offset) (*(PyObject **)((char *)(obj) + (offset)))

#endif
