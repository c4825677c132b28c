using System.Buffers.Binary;
using System.Numerics;
using System.Text;
using ClipSharp.Core;

namespace ClipSharp.Checkpoints;

/// <summary>
/// A restricted pickle reader for what torch.save writes for state dicts (protocol 2, also accepts FRAME/MEMOIZE/
/// STACK_GLOBAL from protocol 4). It is a data parser, not an interpreter: values are strings, longs, doubles, bools,
/// None, tuples (object?[]), lists, ordered dictionaries, whitelisted globals (<see cref="TorchPickleGlobals"/>) and
/// tensor descriptions. Any other opcode or global is refused with the file, the opcode/name and its byte offset.
/// </summary>
internal sealed class TorchUnpickler
{
    private readonly byte[] _data;
    private readonly string _where;
    private readonly Func<object?[], string, object> _persistentLoad;
    private readonly List<object?> _stack = [];
    private readonly Stack<int> _marks = new();
    private readonly Dictionary<long, object?> _memo = [];
    private int _pos;

    /// <param name="data">the pickle bytes (data.pkl)</param>
    /// <param name="where">names the file in errors, e.g. "model.bin (archive/data.pkl)"</param>
    /// <param name="persistentLoad">turns a BINPERSID tuple into a value; its second argument prefixes errors</param>
    public TorchUnpickler(byte[] data, string where, Func<object?[], string, object> persistentLoad)
    {
        _data = data; _where = where; _persistentLoad = persistentLoad;
    }

    /// <summary>Runs to STOP and returns the top-level object.</summary>
    public object? Load()
    {
        while (true)
        {
            if (_pos >= _data.Length) throw Fail(_pos, "pickle ends without STOP");
            int at = _pos;
            byte op = _data[_pos++];
            switch (op)
            {
                case 0x80: ReadBytes(1); break;                                   // PROTO
                case 0x95: ReadBytes(8); break;                                   // FRAME (length only matters for streaming)
                case (byte)'.': return Pop(at);                                   // STOP
                case (byte)'(': _marks.Push(_stack.Count); break;                 // MARK
                case (byte)'}': Push(new OrderedDictionary<object, object?>()); break; // EMPTY_DICT
                case (byte)']': Push(new List<object?>()); break;                 // EMPTY_LIST
                case (byte)')': Push(Array.Empty<object?>()); break;              // EMPTY_TUPLE
                case (byte)'t': Push(PopMark(at).ToArray()); break;              // TUPLE
                case 0x85: Push(new[] { Pop(at) }); break;                        // TUPLE1
                case 0x86: { var b = Pop(at); var a = Pop(at); Push(new[] { a, b }); break; } // TUPLE2
                case 0x87: { var c = Pop(at); var b = Pop(at); var a = Pop(at); Push(new[] { a, b, c }); break; } // TUPLE3
                case (byte)'X': Push(Utf8(at, ReadLength(4, at))); break;         // BINUNICODE
                case 0x8c: Push(Utf8(at, ReadBytes(1)[0])); break;                // SHORT_BINUNICODE
                case (byte)'J': Push((long)BinaryPrimitives.ReadInt32LittleEndian(ReadBytes(4))); break; // BININT
                case (byte)'K': Push((long)ReadBytes(1)[0]); break;               // BININT1
                case (byte)'M': Push((long)BinaryPrimitives.ReadUInt16LittleEndian(ReadBytes(2))); break; // BININT2
                case 0x8a: Push(Long1(at)); break;                                // LONG1
                case (byte)'G': Push(BinaryPrimitives.ReadDoubleBigEndian(ReadBytes(8))); break; // BINFLOAT
                case 0x88: Push(true); break;                                     // NEWTRUE
                case 0x89: Push(false); break;                                    // NEWFALSE
                case (byte)'N': Push(null); break;                                // NONE
                case (byte)'q': _memo[ReadBytes(1)[0]] = Top(at); break;          // BINPUT
                case (byte)'r': _memo[ReadLength(4, at)] = Top(at); break;        // LONG_BINPUT
                case 0x94: _memo[_memo.Count] = Top(at); break;                   // MEMOIZE
                case (byte)'h': Push(Get(at, ReadBytes(1)[0])); break;            // BINGET
                case (byte)'j': Push(Get(at, ReadLength(4, at))); break;          // LONG_BINGET
                case (byte)'s': { var v = Pop(at); var k = Pop(at); SetItem(at, Top(at), k, v); break; } // SETITEM
                case (byte)'u': SetItems(at); break;                              // SETITEMS
                case (byte)'a': { var v = Pop(at); AsList(at, Top(at)).Add(v); break; } // APPEND
                case (byte)'e': { var items = PopMark(at); AsList(at, Top(at)).AddRange(items); break; } // APPENDS
                case (byte)'c': Push(Global(at, ReadLine(at), ReadLine(at))); break; // GLOBAL
                case 0x93: { var name = Pop(at); var module = Pop(at); StackGlobal(at, module, name); break; } // STACK_GLOBAL
                case (byte)'R': Reduce(at); break;                                // REDUCE
                case (byte)'b': Build(at); break;                                 // BUILD
                case (byte)'Q': Push(PersistentLoad(at)); break;                  // BINPERSID
                default: throw Fail(at, $"refusing pickle opcode {OpName(op)}, which torch.save does not write for state dicts");
            }
        }
    }

    private ClipSharpException Fail(int at, string what) => new($"{_where}: {what} (byte {at}); nothing was executed.");

    private void Push(object? v) => _stack.Add(v);

    // Like Python's unpickler, values below the innermost MARK are out of reach until that MARK is consumed.
    private bool FrameEmpty => _stack.Count == 0 || (_marks.Count > 0 && _stack.Count <= _marks.Peek());

    private object? Top(int at) => FrameEmpty ? throw Fail(at, "stack underflow") : _stack[^1];

    private object? Pop(int at)
    {
        if (FrameEmpty) throw Fail(at, "stack underflow");
        var v = _stack[^1];
        _stack.RemoveAt(_stack.Count - 1);
        return v;
    }

    private List<object?> PopMark(int at)
    {
        if (_marks.Count == 0) throw Fail(at, "no MARK on the stack");
        int m = _marks.Pop();
        var items = _stack.GetRange(m, _stack.Count - m);
        _stack.RemoveRange(m, _stack.Count - m);
        return items;
    }

    private ReadOnlySpan<byte> ReadBytes(int n)
    {
        if (n < 0 || _pos + (long)n > _data.Length) throw Fail(_pos, "pickle is truncated");
        var s = _data.AsSpan(_pos, n);
        _pos += n;
        return s;
    }

    private int ReadLength(int bytes, int at)
    {
        uint n = BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(bytes));
        return n > int.MaxValue ? throw Fail(at, $"length {n} is too large") : (int)n;
    }

    private string Utf8(int at, int n)
    {
        try { return new UTF8Encoding(false, true).GetString(ReadBytes(n)); }
        catch (DecoderFallbackException) { throw Fail(at, "string is not valid UTF-8"); }
    }

    private string ReadLine(int at)
    {
        int end = Array.IndexOf(_data, (byte)'\n', _pos);
        if (end < 0 || end - _pos > 256) throw Fail(at, "GLOBAL name is not terminated");
        var s = Encoding.ASCII.GetString(_data, _pos, end - _pos);
        _pos = end + 1;
        return s;
    }

    private object Long1(int at)
    {
        int n = ReadBytes(1)[0];
        var bytes = ReadBytes(n);
        if (n > 8) throw Fail(at, $"integer of {n} bytes does not fit in 64 bits");
        var v = new BigInteger(bytes, isUnsigned: false, isBigEndian: false);
        return (long)v;
    }

    private object? Get(int at, long key) => _memo.TryGetValue(key, out var v) ? v : throw Fail(at, $"memo slot {key} is empty");

    private object Global(int at, string module, string name) =>
        TorchPickleGlobals.Resolve(module, name) ?? throw Fail(at, $"refusing global '{module}.{name}' (GLOBAL), which is not a torch tensor/storage/OrderedDict name");

    private void StackGlobal(int at, object? module, object? name)
    {
        if (module is not string m || name is not string n) throw Fail(at, "STACK_GLOBAL needs two strings");
        Push(TorchPickleGlobals.Resolve(m, n) ?? throw Fail(at, $"refusing global '{m}.{n}' (STACK_GLOBAL), which is not a torch tensor/storage/OrderedDict name"));
    }

    private List<object?> AsList(int at, object? o) => o as List<object?> ?? throw Fail(at, $"APPEND on {TorchPickleGlobals.Describe(o)}, not a list");

    private void SetItem(int at, object? target, object? key, object? value)
    {
        if (target is not OrderedDictionary<object, object?> d) throw Fail(at, $"SETITEM on {TorchPickleGlobals.Describe(target)}, not a dict");
        if (key is not (string or long or bool or double)) throw Fail(at, $"dict key {TorchPickleGlobals.Describe(key)} is not a string or number");
        d[key] = value;
    }

    private void SetItems(int at)
    {
        var items = PopMark(at);
        if (items.Count % 2 != 0) throw Fail(at, "SETITEMS with an odd number of items");
        var target = Top(at);
        for (int i = 0; i < items.Count; i += 2) SetItem(at, target, items[i], items[i + 1]);
    }

    private void Reduce(int at)
    {
        var args = Pop(at);
        var callable = Pop(at);
        if (args is not object?[] tuple) throw Fail(at, "REDUCE arguments are not a tuple");
        Push(TorchPickleGlobals.Reduce(callable, tuple, $"{_where} (byte {at})"));
    }

    // BUILD sets state on the object below: OrderedDict carries `_metadata` (module versions) and parameters may
    // carry an empty state; both are dropped. Anything else would mean calling __setstate__ on an arbitrary object.
    private void Build(int at)
    {
        var state = Pop(at);
        var target = Top(at);
        bool ok = target switch
        {
            OrderedDictionary<object, object?> => state is null or OrderedDictionary<object, object?> or object?[],
            TorchTensorRef => state is null || state is OrderedDictionary<object, object?> { Count: 0 } || state is object?[] { Length: 0 },
            _ => false,
        };
        if (!ok) throw Fail(at, $"refusing BUILD on {TorchPickleGlobals.Describe(target)} with state {TorchPickleGlobals.Describe(state)}");
    }

    private object PersistentLoad(int at)
    {
        var pid = Pop(at);
        if (pid is not object?[] tuple) throw Fail(at, "BINPERSID id is not a tuple");
        return _persistentLoad(tuple, $"{_where} (byte {at})");
    }

    private static string OpName(byte op) => op switch
    {
        (byte)'i' => "INST", (byte)'o' => "OBJ", 0x81 => "NEWOBJ", 0x92 => "NEWOBJ_EX", (byte)'P' => "PERSID",
        (byte)'0' => "POP", (byte)'2' => "DUP", (byte)'S' => "STRING", (byte)'V' => "UNICODE", (byte)'I' => "INT",
        (byte)'L' => "LONG", (byte)'F' => "FLOAT", (byte)'d' => "DICT", (byte)'l' => "LIST", (byte)'g' => "GET",
        (byte)'p' => "PUT", 0x82 => "EXT1", 0x83 => "EXT2", 0x84 => "EXT4", (byte)'B' => "BINBYTES", (byte)'C' => "SHORT_BINBYTES",
        (byte)'T' => "BINSTRING", (byte)'U' => "SHORT_BINSTRING", 0x8b => "LONG4", 0x8d => "BINUNICODE8", 0x8e => "BINBYTES8",
        0x8f => "EMPTY_SET", 0x90 => "ADDITEMS", 0x91 => "FROZENSET", 0x96 => "BYTEARRAY8", 0x97 => "NEXT_BUFFER",
        0x98 => "READONLY_BUFFER", _ => $"0x{op:x2}",
    };
}
