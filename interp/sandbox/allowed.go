package sandbox

// allowedNames lists, package by package, the names of the sandbox that
// were reviewed and are allowed: they compute, encode, parse or format in
// memory, or read state of the process that is no secret (the time, random
// numbers). Names are package-level names, methods of exported types
// ("Template.Execute") and methods of the values of variables whose type is
// not one of the package's exported types ("EOF.Error"). Each package's
// names are separated by white space. See table.go for how the
// table is organised, and excludedNames for what is left out and why;
// TestSandboxTable prints any name in neither, in this format.
//
// Allowed after a second look:
//
//   - crypto/x509: Certificate.Verify with no Roots reads the system's
//     root certificates (fixed paths, or $SSL_CERT_FILE/$SSL_CERT_DIR set
//     by whoever runs the server): nothing the code chooses. SystemCertPool,
//     which hands the pool out, is excluded.
//   - mime: TypeByExtension and ExtensionsByType read the system's MIME
//     tables (/etc/mime.types and the like) once, at fixed paths.
//   - time: LoadLocation reads the time zone database at fixed paths, and
//     refuses names with ".." or a leading "/".
//   - math/rand: Seed has no effect since Go 1.24 (GODEBUG randseednop=1,
//     the default); the global source stays the host's.
//   - archive/tar: FileInfoHeader looks up user and group names (os/user)
//     only for a FileInfo whose Sys is a *syscall.Stat_t, which service code
//     cannot make without syscall.
//   - log: Print, SetOutput, SetFlags, … act on a logger of the
//     interpreter's own (yaegi replaces them), writing to the service's log;
//     log.New returns yaegi's *log.Logger, whose Fatal panics.
//   - reflect: Value.Pointer, Value.UnsafeAddr and Value.InterfaceData
//     give addresses as numbers; without unsafe.Pointer (NewAt,
//     Value.UnsafePointer and unsafe.Pointer values are excluded) no number
//     turns back into memory, and reflect's Convert refuses uintptr to
//     unsafe.Pointer.
//   - go/parser: ParseFile and ParseExprFrom are guarded (guardedFuncs):
//     with a nil src they would read the file filename names.
//   - crypto/subtle: WithDataIndependentTiming sets a flag of the CPU
//     for the thread that runs its function, while it runs, and restores
//     it.
//   - crypto/fips140: Enabled, Enforced and Version read how the host
//     process was started; WithoutEnforcement, which lifts the
//     enforcement, is excluded.
//   - unique: Make interns values in the host's table (unique.Make[any]),
//     which every package shares but none can read or change: a handle
//     only compares equal to the handle of an equal value, and the table
//     holds values weakly.
//   - weak: a weak pointer gives back only the value the code pointed to,
//     or nil once the garbage collector reclaimed it.
//   - slog.Default() is the host's logger: logging through it is allowed,
//     assigning through it (*slog.Default() = …) is a load error
//     (sharedPointee).
var allowedNames = map[string]string{
	// The query API, on the databases of microfn.Database (sql.Open and
	// the drivers are excluded).
	"database/sql": `
		ColumnType ColumnType.DatabaseTypeName ColumnType.DecimalSize ColumnType.Length
		ColumnType.Name ColumnType.Nullable ColumnType.ScanType Conn Conn.BeginTx
		Conn.Close Conn.ExecContext Conn.PingContext Conn.PrepareContext
		Conn.QueryContext Conn.QueryRowContext DB DB.Begin DB.BeginTx DB.Conn
		DB.Exec DB.ExecContext DB.Ping DB.PingContext DB.Prepare DB.PrepareContext
		DB.Query DB.QueryContext DB.QueryRow DB.QueryRowContext DB.SetConnMaxIdleTime
		DB.SetConnMaxLifetime DB.SetMaxIdleConns DB.SetMaxOpenConns DB.Stats DBStats
		ErrConnDone ErrConnDone.Error ErrNoRows ErrNoRows.Error ErrTxDone
		ErrTxDone.Error IsolationLevel IsolationLevel.String LevelDefault
		LevelLinearizable LevelReadCommitted LevelReadUncommitted LevelRepeatableRead
		LevelSerializable LevelSnapshot LevelWriteCommitted Named NamedArg NullBool
		NullBool.Scan NullBool.Value NullByte NullByte.Scan NullByte.Value NullFloat64
		NullFloat64.Scan NullFloat64.Value NullInt16 NullInt16.Scan NullInt16.Value
		NullInt32 NullInt32.Scan NullInt32.Value NullInt64 NullInt64.Scan
		NullInt64.Value NullString NullString.Scan NullString.Value NullTime
		NullTime.Scan NullTime.Value Out RawBytes Result Row Row.Err Row.Scan Rows
		Rows.Close Rows.ColumnTypes Rows.Columns Rows.Err Rows.Next Rows.NextResultSet
		Rows.Scan Scanner Stmt Stmt.Close Stmt.Exec Stmt.ExecContext Stmt.Query
		Stmt.QueryContext Stmt.QueryRow Stmt.QueryRowContext Tx Tx.Commit Tx.Exec
		Tx.ExecContext Tx.Prepare Tx.PrepareContext Tx.Query Tx.QueryContext Tx.QueryRow
		Tx.QueryRowContext Tx.Rollback Tx.Stmt Tx.StmtContext TxOptions
	`,
	// Generic packages: yaegi exports no host symbol of them, it
	// interprets their source (the standard library's own, see
	// third_party/yaegi/stdlib/generic). The generic names of the other
	// packages are in their lists.
	"cmp": `
		Compare Less Or Ordered
	`,
	"crypto/hkdf": `
		Expand Extract Key
	`,
	"crypto/pbkdf2": `
		Key
	`,
	"iter": `
		Pull Pull2 Seq Seq2
	`,
	"maps": `
		All Clone Collect Copy DeleteFunc Equal EqualFunc Insert Keys Values
	`,
	"slices": `
		All AppendSeq Backward BinarySearch BinarySearchFunc Chunk Clip Clone Collect
		Compact CompactFunc Compare CompareFunc Concat Contains ContainsFunc Delete
		DeleteFunc Equal EqualFunc Grow Index IndexFunc Insert IsSorted IsSortedFunc Max
		MaxFunc Min MinFunc Repeat Replace Reverse Sort SortFunc SortStableFunc Sorted
		SortedFunc SortedStableFunc Values
	`,
	"unique": `
		Handle Handle.Value Make
	`,
	"weak": `
		Make Pointer Pointer.Value
	`,

	"archive/tar": `
		ErrFieldTooLong ErrFieldTooLong.Error ErrHeader ErrHeader.Error ErrInsecurePath
		ErrInsecurePath.Error ErrWriteAfterClose ErrWriteAfterClose.Error
		ErrWriteTooLong ErrWriteTooLong.Error FileInfoHeader FileInfoNames Format
		Format.String FormatGNU FormatPAX FormatUSTAR FormatUnknown Header
		Header.FileInfo NewReader NewWriter Reader Reader.Next Reader.Read TypeBlock
		TypeChar TypeCont TypeDir TypeFifo TypeGNULongLink TypeGNULongName TypeGNUSparse
		TypeLink TypeReg TypeRegA TypeSymlink TypeXGlobalHeader TypeXHeader Writer
		Writer.AddFS Writer.Close Writer.Flush Writer.Write Writer.WriteHeader
	`,
	"archive/zip": `
		Compressor Decompressor Deflate ErrAlgorithm ErrAlgorithm.Error ErrChecksum
		ErrChecksum.Error ErrFormat ErrFormat.Error ErrInsecurePath
		ErrInsecurePath.Error File File.DataOffset File.FileInfo File.ModTime File.Mode
		File.Open File.OpenRaw File.SetModTime File.SetMode FileHeader
		FileHeader.FileInfo FileHeader.ModTime FileHeader.Mode FileHeader.SetModTime
		FileHeader.SetMode FileInfoHeader NewReader NewWriter ReadCloser
		ReadCloser.Close ReadCloser.Open ReadCloser.RegisterDecompressor Reader
		Reader.Open Reader.RegisterDecompressor Store Writer Writer.AddFS Writer.Close
		Writer.Copy Writer.Create Writer.CreateHeader Writer.CreateRaw Writer.Flush
		Writer.RegisterCompressor Writer.SetComment Writer.SetOffset
	`,
	"bufio": `
		ErrAdvanceTooFar ErrAdvanceTooFar.Error ErrBadReadCount ErrBadReadCount.Error
		ErrBufferFull ErrBufferFull.Error ErrFinalToken ErrFinalToken.Error
		ErrInvalidUnreadByte ErrInvalidUnreadByte.Error ErrInvalidUnreadRune
		ErrInvalidUnreadRune.Error ErrNegativeAdvance ErrNegativeAdvance.Error
		ErrNegativeCount ErrNegativeCount.Error ErrTooLong ErrTooLong.Error
		MaxScanTokenSize NewReadWriter NewReader NewReaderSize NewScanner NewWriter
		NewWriterSize ReadWriter ReadWriter.Available ReadWriter.AvailableBuffer
		ReadWriter.Discard ReadWriter.Flush ReadWriter.Peek ReadWriter.Read
		ReadWriter.ReadByte ReadWriter.ReadBytes ReadWriter.ReadFrom ReadWriter.ReadLine
		ReadWriter.ReadRune ReadWriter.ReadSlice ReadWriter.ReadString
		ReadWriter.UnreadByte ReadWriter.UnreadRune ReadWriter.Write
		ReadWriter.WriteByte ReadWriter.WriteRune ReadWriter.WriteString
		ReadWriter.WriteTo Reader Reader.Buffered Reader.Discard Reader.Peek Reader.Read
		Reader.ReadByte Reader.ReadBytes Reader.ReadLine Reader.ReadRune
		Reader.ReadSlice Reader.ReadString Reader.Reset Reader.Size Reader.UnreadByte
		Reader.UnreadRune Reader.WriteTo ScanBytes ScanLines ScanRunes ScanWords Scanner
		Scanner.Buffer Scanner.Bytes Scanner.Err Scanner.Scan Scanner.Split Scanner.Text
		SplitFunc Writer Writer.Available Writer.AvailableBuffer Writer.Buffered
		Writer.Flush Writer.ReadFrom Writer.Reset Writer.Size Writer.Write
		Writer.WriteByte Writer.WriteRune Writer.WriteString
	`,
	"bytes": `
		Buffer Buffer.Available Buffer.AvailableBuffer Buffer.Bytes Buffer.Cap
		Buffer.Grow Buffer.Len Buffer.Next Buffer.Peek Buffer.Read Buffer.ReadByte
		Buffer.ReadBytes Buffer.ReadFrom Buffer.ReadRune Buffer.ReadString Buffer.Reset
		Buffer.String Buffer.Truncate Buffer.UnreadByte Buffer.UnreadRune Buffer.Write
		Buffer.WriteByte Buffer.WriteRune Buffer.WriteString Buffer.WriteTo Clone
		Compare Contains ContainsAny ContainsFunc ContainsRune Count Cut CutPrefix
		CutSuffix Equal EqualFold ErrTooLarge ErrTooLarge.Error Fields FieldsFunc
		FieldsFuncSeq FieldsSeq HasPrefix HasSuffix Index IndexAny IndexByte IndexFunc
		IndexRune Join LastIndex LastIndexAny LastIndexByte LastIndexFunc Lines Map
		MinRead NewBuffer NewBufferString NewReader Reader Reader.Len Reader.Read
		Reader.ReadAt Reader.ReadByte Reader.ReadRune Reader.Reset Reader.Seek
		Reader.Size Reader.UnreadByte Reader.UnreadRune Reader.WriteTo Repeat Replace
		ReplaceAll Runes Split SplitAfter SplitAfterN SplitAfterSeq SplitN SplitSeq
		Title ToLower ToLowerSpecial ToTitle ToTitleSpecial ToUpper ToUpperSpecial
		ToValidUTF8 Trim TrimFunc TrimLeft TrimLeftFunc TrimPrefix TrimRight
		TrimRightFunc TrimSpace TrimSuffix
	`,
	"compress/bzip2": `
		NewReader StructuralError StructuralError.Error
	`,
	"compress/flate": `
		BestCompression BestSpeed CorruptInputError CorruptInputError.Error
		DefaultCompression HuffmanOnly InternalError InternalError.Error NewReader
		NewReaderDict NewWriter NewWriterDict NoCompression ReadError ReadError.Error
		Reader Resetter WriteError WriteError.Error Writer Writer.Close Writer.Flush
		Writer.Reset Writer.Write
	`,
	"compress/gzip": `
		BestCompression BestSpeed DefaultCompression ErrChecksum ErrChecksum.Error
		ErrHeader ErrHeader.Error Header HuffmanOnly NewReader NewWriter NewWriterLevel
		NoCompression Reader Reader.Close Reader.Multistream Reader.Read Reader.Reset
		Writer Writer.Close Writer.Flush Writer.Reset Writer.Write
	`,
	"compress/lzw": `
		LSB MSB NewReader NewWriter Order Reader Reader.Close Reader.Read Reader.Reset
		Writer Writer.Close Writer.Reset Writer.Write
	`,
	"compress/zlib": `
		BestCompression BestSpeed DefaultCompression ErrChecksum ErrChecksum.Error
		ErrDictionary ErrDictionary.Error ErrHeader ErrHeader.Error HuffmanOnly
		NewReader NewReaderDict NewWriter NewWriterLevel NewWriterLevelDict
		NoCompression Resetter Writer Writer.Close Writer.Flush Writer.Reset
		Writer.Write
	`,
	"container/heap": `
		Fix Init Interface Pop Push Remove
	`,
	"container/list": `
		Element Element.Next Element.Prev List List.Back List.Front List.Init
		List.InsertAfter List.InsertBefore List.Len List.MoveAfter List.MoveBefore
		List.MoveToBack List.MoveToFront List.PushBack List.PushBackList List.PushFront
		List.PushFrontList List.Remove New
	`,
	"container/ring": `
		New Ring Ring.Do Ring.Len Ring.Link Ring.Move Ring.Next Ring.Prev Ring.Unlink
	`,
	"context": `
		AfterFunc Background CancelCauseFunc CancelFunc Canceled Canceled.Error Cause
		Context DeadlineExceeded DeadlineExceeded.Error DeadlineExceeded.Temporary
		DeadlineExceeded.Timeout TODO WithCancel WithCancelCause WithDeadline
		WithDeadlineCause WithTimeout WithTimeoutCause WithValue WithoutCancel
	`,
	"crypto": `
		BLAKE2b_256 BLAKE2b_384 BLAKE2b_512 BLAKE2s_256 Decapsulator Decrypter
		DecrypterOpts Encapsulator Hash Hash.Available Hash.HashFunc Hash.New Hash.Size
		Hash.String MD4 MD5 MD5SHA1 MessageSigner PrivateKey PublicKey RIPEMD160 SHA1
		SHA224 SHA256 SHA384 SHA3_224 SHA3_256 SHA3_384 SHA3_512 SHA512 SHA512_224
		SHA512_256 SignMessage Signer SignerOpts
	`,
	"crypto/aes": `
		BlockSize KeySizeError KeySizeError.Error NewCipher
	`,
	"crypto/cipher": `
		AEAD Block BlockMode NewCBCDecrypter NewCBCEncrypter NewCFBDecrypter
		NewCFBEncrypter NewCTR NewGCM NewGCMWithNonceSize NewGCMWithRandomNonce
		NewGCMWithTagSize NewOFB Stream StreamReader StreamReader.Read StreamWriter
		StreamWriter.Close StreamWriter.Write
	`,
	"crypto/des": `
		BlockSize KeySizeError KeySizeError.Error NewCipher NewTripleDESCipher
	`,
	"crypto/dsa": `
		ErrInvalidPublicKey ErrInvalidPublicKey.Error GenerateKey GenerateParameters
		L1024N160 L2048N224 L2048N256 L3072N256 ParameterSizes Parameters PrivateKey
		PublicKey Sign Verify
	`,
	"crypto/ecdh": `
		Curve KeyExchanger P256 P384 P521 PrivateKey PrivateKey.Bytes PrivateKey.Curve
		PrivateKey.ECDH PrivateKey.Equal PrivateKey.Public PrivateKey.PublicKey
		PublicKey PublicKey.Bytes PublicKey.Curve PublicKey.Equal X25519
	`,
	"crypto/ecdsa": `
		GenerateKey ParseRawPrivateKey ParseUncompressedPublicKey PrivateKey
		PrivateKey.Add PrivateKey.Bytes PrivateKey.Double PrivateKey.ECDH
		PrivateKey.Equal PrivateKey.IsOnCurve PrivateKey.Params PrivateKey.Public
		PrivateKey.ScalarBaseMult PrivateKey.ScalarMult PrivateKey.Sign PublicKey
		PublicKey.Add PublicKey.Bytes PublicKey.Double PublicKey.ECDH PublicKey.Equal
		PublicKey.IsOnCurve PublicKey.Params PublicKey.ScalarBaseMult
		PublicKey.ScalarMult Sign SignASN1 Verify VerifyASN1
	`,
	"crypto/ed25519": `
		GenerateKey NewKeyFromSeed Options Options.HashFunc PrivateKey PrivateKey.Equal
		PrivateKey.Public PrivateKey.Seed PrivateKey.Sign PrivateKeySize PublicKey
		PublicKey.Equal PublicKeySize SeedSize Sign SignatureSize Verify
		VerifyWithOptions
	`,
	"crypto/elliptic": `
		Curve CurveParams CurveParams.Add CurveParams.Double CurveParams.IsOnCurve
		CurveParams.Params CurveParams.ScalarBaseMult CurveParams.ScalarMult GenerateKey
		Marshal MarshalCompressed P224 P256 P384 P521 Unmarshal UnmarshalCompressed
	`,
	"crypto/fips140": `
		Enabled Enforced Version
	`,
	"crypto/hmac": `
		Equal New
	`,
	"crypto/hpke": `
		AEAD AES128GCM AES256GCM ChaCha20Poly1305 DHKEM ExportOnly HKDFSHA256 HKDFSHA384
		HKDFSHA512 KDF KEM MLKEM1024 MLKEM1024P384 MLKEM768 MLKEM768P256 MLKEM768X25519
		NewAEAD NewDHKEMPrivateKey NewDHKEMPublicKey NewHybridPrivateKey
		NewHybridPublicKey NewKDF NewKEM NewMLKEMPrivateKey NewMLKEMPublicKey
		NewRecipient NewSender Open PrivateKey PublicKey Recipient Recipient.Export
		Recipient.Open SHAKE128 SHAKE256 Seal Sender Sender.Export Sender.Seal
	`,
	"crypto/md5": `
		BlockSize New Size Sum
	`,
	"crypto/mlkem": `
		CiphertextSize1024 CiphertextSize768 DecapsulationKey1024
		DecapsulationKey1024.Bytes DecapsulationKey1024.Decapsulate
		DecapsulationKey1024.EncapsulationKey DecapsulationKey1024.Encapsulator
		DecapsulationKey768 DecapsulationKey768.Bytes DecapsulationKey768.Decapsulate
		DecapsulationKey768.EncapsulationKey DecapsulationKey768.Encapsulator
		EncapsulationKey1024 EncapsulationKey1024.Bytes EncapsulationKey1024.Encapsulate
		EncapsulationKey768 EncapsulationKey768.Bytes EncapsulationKey768.Encapsulate
		EncapsulationKeySize1024 EncapsulationKeySize768 GenerateKey1024 GenerateKey768
		NewDecapsulationKey1024 NewDecapsulationKey768 NewEncapsulationKey1024
		NewEncapsulationKey768 SeedSize SharedKeySize
	`,
	"crypto/rand": `
		Int Prime Read Reader Reader.Read Text
	`,
	"crypto/rc4": `
		Cipher Cipher.Reset Cipher.XORKeyStream KeySizeError KeySizeError.Error
		NewCipher
	`,
	"crypto/rsa": `
		CRTValue DecryptOAEP DecryptPKCS1v15 DecryptPKCS1v15SessionKey EncryptOAEP
		EncryptOAEPWithOptions EncryptPKCS1v15 ErrDecryption ErrDecryption.Error
		ErrMessageTooLong ErrMessageTooLong.Error ErrVerification ErrVerification.Error
		GenerateKey GenerateMultiPrimeKey OAEPOptions PKCS1v15DecryptOptions PSSOptions
		PSSOptions.HashFunc PSSSaltLengthAuto PSSSaltLengthEqualsHash PrecomputedValues
		PrivateKey PrivateKey.Decrypt PrivateKey.Equal PrivateKey.Precompute
		PrivateKey.Public PrivateKey.Sign PrivateKey.Size PrivateKey.Validate PublicKey
		PublicKey.Equal PublicKey.Size SignPKCS1v15 SignPSS VerifyPKCS1v15 VerifyPSS
	`,
	"crypto/sha1": `
		BlockSize New Size Sum
	`,
	"crypto/sha256": `
		BlockSize New New224 Size Size224 Sum224 Sum256
	`,
	"crypto/sha3": `
		New224 New256 New384 New512 NewCSHAKE128 NewCSHAKE256 NewSHAKE128 NewSHAKE256
		SHA3 SHA3.AppendBinary SHA3.BlockSize SHA3.Clone SHA3.MarshalBinary SHA3.Reset
		SHA3.Size SHA3.Sum SHA3.UnmarshalBinary SHA3.Write SHAKE SHAKE.AppendBinary
		SHAKE.BlockSize SHAKE.MarshalBinary SHAKE.Read SHAKE.Reset SHAKE.UnmarshalBinary
		SHAKE.Write Sum224 Sum256 Sum384 Sum512 SumSHAKE128 SumSHAKE256
	`,
	"crypto/sha512": `
		BlockSize New New384 New512_224 New512_256 Size Size224 Size256 Size384 Sum384
		Sum512 Sum512_224 Sum512_256
	`,
	"crypto/subtle": `
		ConstantTimeByteEq ConstantTimeCompare ConstantTimeCopy ConstantTimeEq
		ConstantTimeLessOrEq ConstantTimeSelect WithDataIndependentTiming XORBytes
	`,
	"crypto/x509": `
		CANotAuthorizedForExtKeyUsage CANotAuthorizedForThisName CertPool
		CertPool.AddCert CertPool.AddCertWithConstraint CertPool.AppendCertsFromPEM
		CertPool.Clone CertPool.Equal CertPool.Subjects Certificate
		Certificate.CheckCRLSignature Certificate.CheckSignature
		Certificate.CheckSignatureFrom Certificate.CreateCRL Certificate.Equal
		Certificate.Verify Certificate.VerifyHostname CertificateInvalidError
		CertificateInvalidError.Error CertificateRequest
		CertificateRequest.CheckSignature ConstraintViolationError
		ConstraintViolationError.Error CreateCertificate CreateCertificateRequest
		CreateRevocationList DSA DSAWithSHA1 DSAWithSHA256 DecryptPEMBlock ECDSA
		ECDSAWithSHA1 ECDSAWithSHA256 ECDSAWithSHA384 ECDSAWithSHA512 Ed25519
		EncryptPEMBlock ErrUnsupportedAlgorithm ErrUnsupportedAlgorithm.Error Expired
		ExtKeyUsage ExtKeyUsage.OID ExtKeyUsage.String ExtKeyUsageAny
		ExtKeyUsageClientAuth ExtKeyUsageCodeSigning ExtKeyUsageEmailProtection
		ExtKeyUsageIPSECEndSystem ExtKeyUsageIPSECTunnel ExtKeyUsageIPSECUser
		ExtKeyUsageMicrosoftCommercialCodeSigning ExtKeyUsageMicrosoftKernelCodeSigning
		ExtKeyUsageMicrosoftServerGatedCrypto ExtKeyUsageNetscapeServerGatedCrypto
		ExtKeyUsageOCSPSigning ExtKeyUsageServerAuth ExtKeyUsageTimeStamping
		HostnameError HostnameError.Error IncompatibleUsage IncorrectPasswordError
		IncorrectPasswordError.Error InsecureAlgorithmError InsecureAlgorithmError.Error
		InvalidReason IsEncryptedPEMBlock KeyUsage KeyUsage.String KeyUsageCRLSign
		KeyUsageCertSign KeyUsageContentCommitment KeyUsageDataEncipherment
		KeyUsageDecipherOnly KeyUsageDigitalSignature KeyUsageEncipherOnly
		KeyUsageKeyAgreement KeyUsageKeyEncipherment MD2WithRSA MD5WithRSA
		MarshalECPrivateKey MarshalPKCS1PrivateKey MarshalPKCS1PublicKey
		MarshalPKCS8PrivateKey MarshalPKIXPublicKey NameConstraintsWithoutSANs
		NameMismatch NewCertPool NoValidChains NotAuthorizedToSign OID OID.AppendBinary
		OID.AppendText OID.Equal OID.EqualASN1OID OID.MarshalBinary OID.MarshalText
		OID.String OID.UnmarshalBinary OID.UnmarshalText OIDFromASN1OID OIDFromInts
		PEMCipher PEMCipher3DES PEMCipherAES128 PEMCipherAES192 PEMCipherAES256
		PEMCipherDES ParseCRL ParseCertificate ParseCertificateRequest ParseCertificates
		ParseDERCRL ParseECPrivateKey ParseOID ParsePKCS1PrivateKey ParsePKCS1PublicKey
		ParsePKCS8PrivateKey ParsePKIXPublicKey ParseRevocationList PolicyMapping
		PublicKeyAlgorithm PublicKeyAlgorithm.String PureEd25519 RSA RevocationList
		RevocationList.CheckSignatureFrom RevocationListEntry SHA1WithRSA SHA256WithRSA
		SHA256WithRSAPSS SHA384WithRSA SHA384WithRSAPSS SHA512WithRSA SHA512WithRSAPSS
		SignatureAlgorithm SignatureAlgorithm.String SystemRootsError
		SystemRootsError.Error SystemRootsError.Unwrap TooManyConstraints
		TooManyIntermediates UnconstrainedName UnhandledCriticalExtension
		UnhandledCriticalExtension.Error UnknownAuthorityError
		UnknownAuthorityError.Error UnknownPublicKeyAlgorithm UnknownSignatureAlgorithm
		VerifyOptions
	`,
	"crypto/x509/pkix": `
		AlgorithmIdentifier AttributeTypeAndValue AttributeTypeAndValueSET
		CertificateList CertificateList.HasExpired Extension Name
		Name.FillFromRDNSequence Name.String Name.ToRDNSequence RDNSequence
		RDNSequence.String RelativeDistinguishedNameSET RevokedCertificate
		TBSCertificateList
	`,
	"encoding": `
		BinaryAppender BinaryMarshaler BinaryUnmarshaler TextAppender TextMarshaler
		TextUnmarshaler
	`,
	"encoding/ascii85": `
		CorruptInputError CorruptInputError.Error Decode Encode MaxEncodedLen NewDecoder
		NewEncoder
	`,
	"encoding/asn1": `
		BitString BitString.At BitString.RightAlign ClassApplication
		ClassContextSpecific ClassPrivate ClassUniversal Enumerated Flag Marshal
		MarshalWithParams NullBytes NullRawValue ObjectIdentifier ObjectIdentifier.Equal
		ObjectIdentifier.String RawContent RawValue StructuralError
		StructuralError.Error SyntaxError SyntaxError.Error TagBMPString TagBitString
		TagBoolean TagEnum TagGeneralString TagGeneralizedTime TagIA5String TagInteger
		TagNull TagNumericString TagOID TagOctetString TagPrintableString TagSequence
		TagSet TagT61String TagUTCTime TagUTF8String Unmarshal UnmarshalWithParams
	`,
	"encoding/base32": `
		CorruptInputError CorruptInputError.Error Encoding Encoding.AppendDecode
		Encoding.AppendEncode Encoding.Decode Encoding.DecodeString Encoding.DecodedLen
		Encoding.Encode Encoding.EncodeToString Encoding.EncodedLen Encoding.WithPadding
		HexEncoding NewDecoder NewEncoder NewEncoding NoPadding StdEncoding StdPadding
	`,
	"encoding/base64": `
		CorruptInputError CorruptInputError.Error Encoding Encoding.AppendDecode
		Encoding.AppendEncode Encoding.Decode Encoding.DecodeString Encoding.DecodedLen
		Encoding.Encode Encoding.EncodeToString Encoding.EncodedLen Encoding.Strict
		Encoding.WithPadding NewDecoder NewEncoder NewEncoding NoPadding RawStdEncoding
		RawURLEncoding StdEncoding StdPadding URLEncoding
	`,
	"encoding/binary": `
		Append AppendByteOrder AppendUvarint AppendVarint BigEndian
		BigEndian.AppendUint16 BigEndian.AppendUint32 BigEndian.AppendUint64
		BigEndian.GoString BigEndian.PutUint16 BigEndian.PutUint32 BigEndian.PutUint64
		BigEndian.String BigEndian.Uint16 BigEndian.Uint32 BigEndian.Uint64 ByteOrder
		Decode Encode LittleEndian LittleEndian.AppendUint16 LittleEndian.AppendUint32
		LittleEndian.AppendUint64 LittleEndian.GoString LittleEndian.PutUint16
		LittleEndian.PutUint32 LittleEndian.PutUint64 LittleEndian.String
		LittleEndian.Uint16 LittleEndian.Uint32 LittleEndian.Uint64 MaxVarintLen16
		MaxVarintLen32 MaxVarintLen64 NativeEndian NativeEndian.AppendUint16
		NativeEndian.AppendUint32 NativeEndian.AppendUint64 NativeEndian.GoString
		NativeEndian.PutUint16 NativeEndian.PutUint32 NativeEndian.PutUint64
		NativeEndian.String NativeEndian.Uint16 NativeEndian.Uint32 NativeEndian.Uint64
		PutUvarint PutVarint Read ReadUvarint ReadVarint Size Uvarint Varint Write
	`,
	"encoding/csv": `
		ErrBareQuote ErrBareQuote.Error ErrFieldCount ErrFieldCount.Error ErrQuote
		ErrQuote.Error ErrTrailingComma ErrTrailingComma.Error NewReader NewWriter
		ParseError ParseError.Error ParseError.Unwrap Reader Reader.FieldPos
		Reader.InputOffset Reader.Read Reader.ReadAll Writer Writer.Error Writer.Flush
		Writer.Write Writer.WriteAll
	`,
	"encoding/gob": `
		CommonType Decoder Decoder.Decode Decoder.DecodeValue Encoder Encoder.Encode
		Encoder.EncodeValue GobDecoder GobEncoder NewDecoder NewEncoder
	`,
	"encoding/hex": `
		AppendDecode AppendEncode Decode DecodeString DecodedLen Dump Dumper Encode
		EncodeToString EncodedLen ErrLength ErrLength.Error InvalidByteError
		InvalidByteError.Error NewDecoder NewEncoder
	`,
	"encoding/json": `
		Compact Decoder Decoder.Buffered Decoder.Decode Decoder.DisallowUnknownFields
		Decoder.InputOffset Decoder.More Decoder.Token Decoder.UseNumber Delim
		Delim.String Encoder Encoder.Encode Encoder.SetEscapeHTML Encoder.SetIndent
		HTMLEscape Indent InvalidUTF8Error InvalidUTF8Error.Error InvalidUnmarshalError
		InvalidUnmarshalError.Error Marshal MarshalIndent Marshaler MarshalerError
		MarshalerError.Error MarshalerError.Unwrap NewDecoder NewEncoder Number
		Number.Float64 Number.Int64 Number.String RawMessage RawMessage.MarshalJSON
		RawMessage.UnmarshalJSON SyntaxError SyntaxError.Error Token Unmarshal
		UnmarshalFieldError UnmarshalFieldError.Error UnmarshalTypeError
		UnmarshalTypeError.Error Unmarshaler UnsupportedTypeError
		UnsupportedTypeError.Error UnsupportedValueError UnsupportedValueError.Error
		Valid
	`,
	"encoding/pem": `
		Block Decode Encode EncodeToMemory
	`,
	"encoding/xml": `
		Attr CharData CharData.Copy Comment Comment.Copy CopyToken Decoder
		Decoder.Decode Decoder.DecodeElement Decoder.InputOffset Decoder.InputPos
		Decoder.RawToken Decoder.Skip Decoder.Token Directive Directive.Copy Encoder
		Encoder.Close Encoder.Encode Encoder.EncodeElement Encoder.EncodeToken
		Encoder.Flush Encoder.Indent EndElement Escape EscapeText HTMLAutoClose
		HTMLEntity Header Marshal MarshalIndent Marshaler MarshalerAttr Name NewDecoder
		NewEncoder NewTokenDecoder ProcInst ProcInst.Copy StartElement StartElement.Copy
		StartElement.End SyntaxError SyntaxError.Error TagPathError TagPathError.Error
		Token TokenReader Unmarshal UnmarshalError UnmarshalError.Error Unmarshaler
		UnmarshalerAttr UnsupportedTypeError UnsupportedTypeError.Error
	`,
	"errors": `
		As AsType ErrUnsupported ErrUnsupported.Error Is Join New Unwrap
	`,
	"fmt": `
		Append Appendf Appendln Errorf FormatString Formatter Fprint Fprintf Fprintln
		Fscan Fscanf Fscanln GoStringer Print Printf Println Scan ScanState Scanf Scanln
		Scanner Sprint Sprintf Sprintln Sscan Sscanf Sscanln State Stringer
	`,
	"go/ast": `
		ArrayType ArrayType.End ArrayType.Pos AssignStmt AssignStmt.End AssignStmt.Pos
		Bad BadDecl BadDecl.End BadDecl.Pos BadExpr BadExpr.End BadExpr.Pos BadStmt
		BadStmt.End BadStmt.Pos BasicLit BasicLit.End BasicLit.Pos BinaryExpr
		BinaryExpr.End BinaryExpr.Pos BlockStmt BlockStmt.End BlockStmt.Pos BranchStmt
		BranchStmt.End BranchStmt.Pos CallExpr CallExpr.End CallExpr.Pos CaseClause
		CaseClause.End CaseClause.Pos ChanDir ChanType ChanType.End ChanType.Pos
		CommClause CommClause.End CommClause.Pos Comment Comment.End Comment.Pos
		CommentGroup CommentGroup.End CommentGroup.Pos CommentGroup.Text CommentMap
		CommentMap.Comments CommentMap.Filter CommentMap.String CommentMap.Update
		CompositeLit CompositeLit.End CompositeLit.Pos Con Decl DeclStmt DeclStmt.End
		DeclStmt.Pos DeferStmt DeferStmt.End DeferStmt.Pos Directive Directive.End
		Directive.ParseArgs Directive.Pos DirectiveArg Ellipsis Ellipsis.End
		Ellipsis.Pos EmptyStmt EmptyStmt.End EmptyStmt.Pos Expr ExprStmt ExprStmt.End
		ExprStmt.Pos Field Field.End Field.Pos FieldFilter FieldList FieldList.End
		FieldList.NumFields FieldList.Pos File File.End File.Pos FileExports Filter
		FilterDecl FilterFile FilterFuncDuplicates FilterImportDuplicates FilterPackage
		FilterUnassociatedComments ForStmt ForStmt.End ForStmt.Pos Fprint Fun FuncDecl
		FuncDecl.End FuncDecl.Pos FuncLit FuncLit.End FuncLit.Pos FuncType FuncType.End
		FuncType.Pos GenDecl GenDecl.End GenDecl.Pos GoStmt GoStmt.End GoStmt.Pos Ident
		Ident.End Ident.IsExported Ident.Pos Ident.String IfStmt IfStmt.End IfStmt.Pos
		ImportSpec ImportSpec.End ImportSpec.Pos Importer IncDecStmt IncDecStmt.End
		IncDecStmt.Pos IndexExpr IndexExpr.End IndexExpr.Pos IndexListExpr
		IndexListExpr.End IndexListExpr.Pos Inspect InterfaceType InterfaceType.End
		InterfaceType.Pos IsExported IsGenerated KeyValueExpr KeyValueExpr.End
		KeyValueExpr.Pos LabeledStmt LabeledStmt.End LabeledStmt.Pos Lbl MapType
		MapType.End MapType.Pos MergeMode MergePackageFiles NewCommentMap NewIdent
		NewObj NewPackage NewScope Node NotNilFilter ObjKind ObjKind.String Object
		Object.Pos Package Package.End Package.Pos PackageExports ParenExpr
		ParenExpr.End ParenExpr.Pos ParseDirective Pkg Preorder PreorderStack RECV
		RangeStmt RangeStmt.End RangeStmt.Pos ReturnStmt ReturnStmt.End ReturnStmt.Pos
		SEND Scope Scope.Insert Scope.Lookup Scope.String SelectStmt SelectStmt.End
		SelectStmt.Pos SelectorExpr SelectorExpr.End SelectorExpr.Pos SendStmt
		SendStmt.End SendStmt.Pos SliceExpr SliceExpr.End SliceExpr.Pos SortImports Spec
		StarExpr StarExpr.End StarExpr.Pos Stmt StructType StructType.End StructType.Pos
		SwitchStmt SwitchStmt.End SwitchStmt.Pos Typ TypeAssertExpr TypeAssertExpr.End
		TypeAssertExpr.Pos TypeSpec TypeSpec.End TypeSpec.Pos TypeSwitchStmt
		TypeSwitchStmt.End TypeSwitchStmt.Pos UnaryExpr UnaryExpr.End UnaryExpr.Pos
		Unparen ValueSpec ValueSpec.End ValueSpec.Pos Var Visitor Walk
	`,
	"go/build/constraint": `
		AndExpr AndExpr.Eval AndExpr.String Expr GoVersion IsGoBuild IsPlusBuild NotExpr
		NotExpr.Eval NotExpr.String OrExpr OrExpr.Eval OrExpr.String Parse
		PlusBuildLines SyntaxError SyntaxError.Error TagExpr TagExpr.Eval TagExpr.String
	`,
	"go/constant": `
		BinaryOp BitLen Bool BoolVal Bytes Compare Complex Denom Float Float32Val
		Float64Val Imag Int Int64Val Kind Kind.String Make MakeBool MakeFloat64
		MakeFromBytes MakeFromLiteral MakeImag MakeInt64 MakeString MakeUint64
		MakeUnknown Num Real Shift Sign String StringVal ToComplex ToFloat ToInt
		Uint64Val UnaryOp Unknown Val Value
	`,
	"go/doc": `
		AllDecls AllMethods Example Examples Filter Func IllegalPrefixes IsPredeclared
		Mode New NewFromFiles Note Package Package.Filter Package.HTML Package.Markdown
		Package.Parser Package.Printer Package.Synopsis Package.Text PreserveAST
		Synopsis ToHTML ToText Type Value
	`,
	"go/doc/comment": `
		Block Code DefaultLookupPackage Doc DocLink DocLink.DefaultURL Heading
		Heading.DefaultID Italic Link LinkDef List List.BlankBefore List.BlankBetween
		ListItem Paragraph Parser Parser.Parse Plain Printer Printer.Comment
		Printer.HTML Printer.Markdown Printer.Text Text
	`,
	"go/format": `
		Node Source
	`,
	"go/parser": `
		AllErrors DeclarationErrors ImportsOnly Mode PackageClauseOnly ParseComments
		ParseExpr ParseExprFrom ParseFile SkipObjectResolution SpuriousErrors Trace
	`,
	"go/printer": `
		CommentedNode Config Config.Fprint Fprint Mode RawFormat SourcePos TabIndent
		UseSpaces
	`,
	"go/scanner": `
		Error Error.Error ErrorHandler ErrorList ErrorList.Add ErrorList.Err
		ErrorList.Error ErrorList.Len ErrorList.Less ErrorList.RemoveMultiples
		ErrorList.Reset ErrorList.Sort ErrorList.Swap Mode PrintError ScanComments
		Scanner Scanner.Init Scanner.Scan
	`,
	"go/token": `
		ADD ADD_ASSIGN AND AND_ASSIGN AND_NOT AND_NOT_ASSIGN ARROW ASSIGN BREAK CASE
		CHAN CHAR COLON COMMA COMMENT CONST CONTINUE DEC DEFAULT DEFER DEFINE ELLIPSIS
		ELSE EOF EQL FALLTHROUGH FLOAT FOR FUNC File File.AddLine File.AddLineColumnInfo
		File.AddLineInfo File.Base File.End File.Line File.LineCount File.LineStart
		File.Lines File.MergeLine File.Name File.Offset File.Pos File.Position
		File.PositionFor File.SetLines File.SetLinesForContent File.Size FileSet
		FileSet.AddExistingFiles FileSet.AddFile FileSet.Base FileSet.File
		FileSet.Iterate FileSet.Position FileSet.PositionFor FileSet.Read
		FileSet.RemoveFile FileSet.Write GEQ GO GOTO GTR HighestPrec IDENT IF ILLEGAL
		IMAG IMPORT INC INT INTERFACE IsExported IsIdentifier IsKeyword LAND LBRACE
		LBRACK LEQ LOR LPAREN LSS Lookup LowestPrec MAP MUL MUL_ASSIGN NEQ NOT
		NewFileSet NoPos OR OR_ASSIGN PACKAGE PERIOD Pos Pos.IsValid Position
		Position.IsValid Position.String QUO QUO_ASSIGN RANGE RBRACE RBRACK REM
		REM_ASSIGN RETURN RPAREN SELECT SEMICOLON SHL SHL_ASSIGN SHR SHR_ASSIGN STRING
		STRUCT SUB SUB_ASSIGN SWITCH TILDE TYPE Token Token.IsKeyword Token.IsLiteral
		Token.IsOperator Token.Precedence Token.String UnaryPrec VAR XOR XOR_ASSIGN
	`,
	"go/version": `
		Compare IsValid Lang
	`,
	"hash": `
		Cloner Hash Hash32 Hash64 XOF
	`,
	"hash/adler32": `
		Checksum New Size
	`,
	"hash/crc32": `
		Castagnoli Checksum ChecksumIEEE IEEE IEEETable Koopman MakeTable New NewIEEE
		Size Table Update
	`,
	"hash/crc64": `
		Checksum ECMA ISO MakeTable New Size Table Update
	`,
	"hash/fnv": `
		New128 New128a New32 New32a New64 New64a
	`,
	"hash/maphash": `
		Bytes Comparable Hash Hash.BlockSize Hash.Clone Hash.Reset Hash.Seed
		Hash.SetSeed Hash.Size Hash.Sum Hash.Sum64 Hash.Write Hash.WriteByte
		Hash.WriteString MakeSeed Seed String WriteComparable
	`,
	"html": `
		EscapeString UnescapeString
	`,
	"html/template": `
		CSS ErrAmbigContext ErrBadHTML ErrBranchEnd ErrEndContext ErrJSTemplate
		ErrNoSuchTemplate ErrOutputContext ErrPartialCharset ErrPartialEscape
		ErrPredefinedEscaper ErrRangeLoopReentry ErrSlashAmbig Error Error.Error
		ErrorCode FuncMap HTML HTMLAttr HTMLEscape HTMLEscapeString HTMLEscaper IsTrue
		JS JSEscape JSEscapeString JSEscaper JSStr Must New OK ParseFS Srcset Template
		Template.AddParseTree Template.Clone Template.DefinedTemplates Template.Delims
		Template.Execute Template.ExecuteTemplate Template.Funcs Template.Lookup
		Template.Name Template.New Template.Option Template.Parse Template.ParseFS
		Template.Templates URL URLQueryEscaper
	`,
	"image": `
		Alpha Alpha.AlphaAt Alpha.At Alpha.Bounds Alpha.ColorModel Alpha.Opaque
		Alpha.PixOffset Alpha.RGBA64At Alpha.Set Alpha.SetAlpha Alpha.SetRGBA64
		Alpha.SubImage Alpha16 Alpha16.Alpha16At Alpha16.At Alpha16.Bounds
		Alpha16.ColorModel Alpha16.Opaque Alpha16.PixOffset Alpha16.RGBA64At Alpha16.Set
		Alpha16.SetAlpha16 Alpha16.SetRGBA64 Alpha16.SubImage Black CMYK CMYK.At
		CMYK.Bounds CMYK.CMYKAt CMYK.ColorModel CMYK.Opaque CMYK.PixOffset CMYK.RGBA64At
		CMYK.Set CMYK.SetCMYK CMYK.SetRGBA64 CMYK.SubImage Config Decode DecodeConfig
		ErrFormat ErrFormat.Error Gray Gray.At Gray.Bounds Gray.ColorModel Gray.GrayAt
		Gray.Opaque Gray.PixOffset Gray.RGBA64At Gray.Set Gray.SetGray Gray.SetRGBA64
		Gray.SubImage Gray16 Gray16.At Gray16.Bounds Gray16.ColorModel Gray16.Gray16At
		Gray16.Opaque Gray16.PixOffset Gray16.RGBA64At Gray16.Set Gray16.SetGray16
		Gray16.SetRGBA64 Gray16.SubImage Image NRGBA NRGBA.At NRGBA.Bounds
		NRGBA.ColorModel NRGBA.NRGBAAt NRGBA.Opaque NRGBA.PixOffset NRGBA.RGBA64At
		NRGBA.Set NRGBA.SetNRGBA NRGBA.SetRGBA64 NRGBA.SubImage NRGBA64 NRGBA64.At
		NRGBA64.Bounds NRGBA64.ColorModel NRGBA64.NRGBA64At NRGBA64.Opaque
		NRGBA64.PixOffset NRGBA64.RGBA64At NRGBA64.Set NRGBA64.SetNRGBA64
		NRGBA64.SetRGBA64 NRGBA64.SubImage NYCbCrA NYCbCrA.AOffset NYCbCrA.At
		NYCbCrA.Bounds NYCbCrA.COffset NYCbCrA.ColorModel NYCbCrA.NYCbCrAAt
		NYCbCrA.Opaque NYCbCrA.RGBA64At NYCbCrA.SubImage NYCbCrA.YCbCrAt NYCbCrA.YOffset
		NewAlpha NewAlpha16 NewCMYK NewGray NewGray16 NewNRGBA NewNRGBA64 NewNYCbCrA
		NewPaletted NewRGBA NewRGBA64 NewUniform NewYCbCr Opaque Paletted Paletted.At
		Paletted.Bounds Paletted.ColorIndexAt Paletted.ColorModel Paletted.Opaque
		Paletted.PixOffset Paletted.RGBA64At Paletted.Set Paletted.SetColorIndex
		Paletted.SetRGBA64 Paletted.SubImage PalettedImage Point Point.Add Point.Div
		Point.Eq Point.In Point.Mod Point.Mul Point.String Point.Sub Pt RGBA RGBA.At
		RGBA.Bounds RGBA.ColorModel RGBA.Opaque RGBA.PixOffset RGBA.RGBA64At RGBA.RGBAAt
		RGBA.Set RGBA.SetRGBA RGBA.SetRGBA64 RGBA.SubImage RGBA64 RGBA64.At
		RGBA64.Bounds RGBA64.ColorModel RGBA64.Opaque RGBA64.PixOffset RGBA64.RGBA64At
		RGBA64.Set RGBA64.SetRGBA64 RGBA64.SubImage RGBA64Image Rect Rectangle
		Rectangle.Add Rectangle.At Rectangle.Bounds Rectangle.Canon Rectangle.ColorModel
		Rectangle.Dx Rectangle.Dy Rectangle.Empty Rectangle.Eq Rectangle.In
		Rectangle.Inset Rectangle.Intersect Rectangle.Overlaps Rectangle.RGBA64At
		Rectangle.Size Rectangle.String Rectangle.Sub Rectangle.Union Transparent
		Uniform Uniform.At Uniform.Bounds Uniform.ColorModel Uniform.Convert
		Uniform.Opaque Uniform.RGBA Uniform.RGBA64At White YCbCr YCbCr.At YCbCr.Bounds
		YCbCr.COffset YCbCr.ColorModel YCbCr.Opaque YCbCr.RGBA64At YCbCr.SubImage
		YCbCr.YCbCrAt YCbCr.YOffset YCbCrSubsampleRatio YCbCrSubsampleRatio.String
		YCbCrSubsampleRatio410 YCbCrSubsampleRatio411 YCbCrSubsampleRatio420
		YCbCrSubsampleRatio422 YCbCrSubsampleRatio440 YCbCrSubsampleRatio444 ZP ZR
	`,
	"image/color": `
		Alpha Alpha.RGBA Alpha16 Alpha16.RGBA Alpha16Model Alpha16Model.Convert
		AlphaModel AlphaModel.Convert Black CMYK CMYK.RGBA CMYKModel CMYKModel.Convert
		CMYKToRGB Color Gray Gray.RGBA Gray16 Gray16.RGBA Gray16Model
		Gray16Model.Convert GrayModel GrayModel.Convert Model ModelFunc NRGBA NRGBA.RGBA
		NRGBA64 NRGBA64.RGBA NRGBA64Model NRGBA64Model.Convert NRGBAModel
		NRGBAModel.Convert NYCbCrA NYCbCrA.RGBA NYCbCrAModel NYCbCrAModel.Convert Opaque
		Palette Palette.Convert Palette.Index RGBA RGBA.RGBA RGBA64 RGBA64.RGBA
		RGBA64Model RGBA64Model.Convert RGBAModel RGBAModel.Convert RGBToCMYK RGBToYCbCr
		Transparent White YCbCr YCbCr.RGBA YCbCrModel YCbCrModel.Convert YCbCrToRGB
	`,
	"image/color/palette": `
		Plan9 WebSafe
	`,
	"image/draw": `
		Draw DrawMask Drawer FloydSteinberg FloydSteinberg.Draw Image Op Op.Draw Over
		Quantizer RGBA64Image Src
	`,
	"image/gif": `
		Decode DecodeAll DecodeConfig DisposalBackground DisposalNone DisposalPrevious
		Encode EncodeAll GIF Options
	`,
	"image/jpeg": `
		Decode DecodeConfig DefaultQuality Encode FormatError FormatError.Error Options
		Reader UnsupportedError UnsupportedError.Error
	`,
	"image/png": `
		BestCompression BestSpeed CompressionLevel Decode DecodeConfig
		DefaultCompression Encode Encoder Encoder.Encode EncoderBuffer EncoderBufferPool
		FormatError FormatError.Error NoCompression UnsupportedError
		UnsupportedError.Error
	`,
	"index/suffixarray": `
		Index Index.Bytes Index.FindAllIndex Index.Lookup Index.Read Index.Write New
	`,
	"io": `
		ByteReader ByteScanner ByteWriter Closer Copy CopyBuffer CopyN Discard
		Discard.ReadFrom Discard.Write Discard.WriteString EOF EOF.Error ErrClosedPipe
		ErrClosedPipe.Error ErrNoProgress ErrNoProgress.Error ErrShortBuffer
		ErrShortBuffer.Error ErrShortWrite ErrShortWrite.Error ErrUnexpectedEOF
		ErrUnexpectedEOF.Error LimitReader LimitedReader LimitedReader.Read MultiReader
		MultiWriter NewOffsetWriter NewSectionReader NopCloser OffsetWriter
		OffsetWriter.Seek OffsetWriter.Write OffsetWriter.WriteAt Pipe PipeReader
		PipeReader.Close PipeReader.CloseWithError PipeReader.Read PipeWriter
		PipeWriter.Close PipeWriter.CloseWithError PipeWriter.Write ReadAll ReadAtLeast
		ReadCloser ReadFull ReadSeekCloser ReadSeeker ReadWriteCloser ReadWriteSeeker
		ReadWriter Reader ReaderAt ReaderFrom RuneReader RuneScanner SectionReader
		SectionReader.Outer SectionReader.Read SectionReader.ReadAt SectionReader.Seek
		SectionReader.Size SeekCurrent SeekEnd SeekStart Seeker StringWriter TeeReader
		WriteCloser WriteSeeker WriteString Writer WriterAt WriterTo
	`,
	"io/fs": `
		DirEntry ErrClosed ErrClosed.Error ErrExist ErrExist.Error ErrInvalid
		ErrInvalid.Error ErrNotExist ErrNotExist.Error ErrPermission ErrPermission.Error
		FS File FileInfo FileInfoToDirEntry FileMode FileMode.IsDir FileMode.IsRegular
		FileMode.Perm FileMode.String FileMode.Type FormatDirEntry FormatFileInfo Glob
		GlobFS Lstat ModeAppend ModeCharDevice ModeDevice ModeDir ModeExclusive
		ModeIrregular ModeNamedPipe ModePerm ModeSetgid ModeSetuid ModeSocket ModeSticky
		ModeSymlink ModeTemporary ModeType PathError PathError.Error PathError.Timeout
		PathError.Unwrap ReadDir ReadDirFS ReadDirFile ReadFile ReadFileFS ReadLink
		ReadLinkFS SkipAll SkipAll.Error SkipDir SkipDir.Error Stat StatFS Sub SubFS
		ValidPath WalkDir WalkDirFunc
	`,
	"log": `
		Fatal Fatalf Fatalln Flags LUTC Ldate Llongfile Lmicroseconds Lmsgprefix Logger
		Logger.Fatal Logger.Fatalf Logger.Fatalln Logger.Flags Logger.Output
		Logger.Panic Logger.Panicf Logger.Panicln Logger.Prefix Logger.Print
		Logger.Printf Logger.Println Logger.SetFlags Logger.SetOutput Logger.Writer
		Lshortfile LstdFlags Ltime New Output Panic Panicf Panicln Prefix Print Printf
		Println SetFlags SetOutput SetPrefix Writer
	`,
	"log/slog": `
		Any AnyValue Attr Attr.Equal Attr.String Bool BoolValue Debug DebugContext
		Default DiscardHandler DiscardHandler.Enabled DiscardHandler.Handle
		DiscardHandler.WithAttrs DiscardHandler.WithGroup Duration DurationValue Error
		ErrorContext Float64 Float64Value Group GroupAttrs GroupValue Handler
		HandlerOptions Info InfoContext Int Int64 Int64Value IntValue JSONHandler
		JSONHandler.Enabled JSONHandler.Handle JSONHandler.WithAttrs
		JSONHandler.WithGroup Kind Kind.String KindAny KindBool KindDuration KindFloat64
		KindGroup KindInt64 KindLogValuer KindString KindTime KindUint64 Level
		Level.AppendText Level.Level Level.MarshalJSON Level.MarshalText Level.String
		Level.UnmarshalJSON Level.UnmarshalText LevelDebug LevelError LevelInfo LevelKey
		LevelVar LevelVar.AppendText LevelVar.Level LevelVar.MarshalText LevelVar.Set
		LevelVar.String LevelVar.UnmarshalText LevelWarn Leveler Log LogAttrs LogValuer
		Logger Logger.Debug Logger.DebugContext Logger.Enabled Logger.Error
		Logger.ErrorContext Logger.Handler Logger.Info Logger.InfoContext Logger.Log
		Logger.LogAttrs Logger.Warn Logger.WarnContext Logger.With Logger.WithGroup
		MessageKey MultiHandler MultiHandler.Enabled MultiHandler.Handle
		MultiHandler.WithAttrs MultiHandler.WithGroup New NewJSONHandler NewMultiHandler
		NewRecord NewTextHandler Record Record.Add Record.AddAttrs Record.Attrs
		Record.Clone Record.NumAttrs Record.Source Source SourceKey String StringValue
		TextHandler TextHandler.Enabled TextHandler.Handle TextHandler.WithAttrs
		TextHandler.WithGroup Time TimeKey TimeValue Uint64 Uint64Value Value Value.Any
		Value.Bool Value.Duration Value.Equal Value.Float64 Value.Group Value.Int64
		Value.Kind Value.LogValuer Value.Resolve Value.String Value.Time Value.Uint64
		Warn WarnContext With
	`,
	"math": `
		Abs Acos Acosh Asin Asinh Atan Atan2 Atanh Cbrt Ceil Copysign Cos Cosh Dim E Erf
		Erfc Erfcinv Erfinv Exp Exp2 Expm1 FMA Float32bits Float32frombits Float64bits
		Float64frombits Floor Frexp Gamma Hypot Ilogb Inf IsInf IsNaN J0 J1 Jn Ldexp
		Lgamma Ln10 Ln2 Log Log10 Log10E Log1p Log2 Log2E Logb Max MaxFloat32 MaxFloat64
		MaxInt MaxInt16 MaxInt32 MaxInt64 MaxInt8 MaxUint MaxUint16 MaxUint32 MaxUint64
		MaxUint8 Min MinInt MinInt16 MinInt32 MinInt64 MinInt8 Mod Modf NaN Nextafter
		Nextafter32 Phi Pi Pow Pow10 Remainder Round RoundToEven Signbit Sin Sincos Sinh
		SmallestNonzeroFloat32 SmallestNonzeroFloat64 Sqrt Sqrt2 SqrtE SqrtPhi SqrtPi
		Tan Tanh Trunc Y0 Y1 Yn
	`,
	"math/big": `
		Above Accuracy Accuracy.String AwayFromZero Below ErrNaN ErrNaN.Error Exact
		Float Float.Abs Float.Acc Float.Add Float.Append Float.AppendText Float.Cmp
		Float.Copy Float.Float32 Float.Float64 Float.Format Float.GobDecode
		Float.GobEncode Float.Int Float.Int64 Float.IsInf Float.IsInt Float.MantExp
		Float.MarshalText Float.MinPrec Float.Mode Float.Mul Float.Neg Float.Parse
		Float.Prec Float.Quo Float.Rat Float.Scan Float.Set Float.SetFloat64
		Float.SetInf Float.SetInt Float.SetInt64 Float.SetMantExp Float.SetMode
		Float.SetPrec Float.SetRat Float.SetString Float.SetUint64 Float.Sign
		Float.Signbit Float.Sqrt Float.String Float.Sub Float.Text Float.Uint64
		Float.UnmarshalText Int Int.Abs Int.Add Int.And Int.AndNot Int.Append
		Int.AppendText Int.Binomial Int.Bit Int.BitLen Int.Bits Int.Bytes Int.Cmp
		Int.CmpAbs Int.Div Int.DivMod Int.Exp Int.FillBytes Int.Float64 Int.Format
		Int.GCD Int.GobDecode Int.GobEncode Int.Int64 Int.IsInt64 Int.IsUint64 Int.Lsh
		Int.MarshalJSON Int.MarshalText Int.Mod Int.ModInverse Int.ModSqrt Int.Mul
		Int.MulRange Int.Neg Int.Not Int.Or Int.ProbablyPrime Int.Quo Int.QuoRem
		Int.Rand Int.Rem Int.Rsh Int.Scan Int.Set Int.SetBit Int.SetBits Int.SetBytes
		Int.SetInt64 Int.SetString Int.SetUint64 Int.Sign Int.Sqrt Int.String Int.Sub
		Int.Text Int.TrailingZeroBits Int.Uint64 Int.UnmarshalJSON Int.UnmarshalText
		Int.Xor Jacobi MaxBase MaxExp MaxPrec MinExp NewFloat NewInt NewRat ParseFloat
		Rat Rat.Abs Rat.Add Rat.AppendText Rat.Cmp Rat.Denom Rat.Float32 Rat.Float64
		Rat.FloatPrec Rat.FloatString Rat.GobDecode Rat.GobEncode Rat.Inv Rat.IsInt
		Rat.MarshalText Rat.Mul Rat.Neg Rat.Num Rat.Quo Rat.RatString Rat.Scan Rat.Set
		Rat.SetFloat64 Rat.SetFrac Rat.SetFrac64 Rat.SetInt Rat.SetInt64 Rat.SetString
		Rat.SetUint64 Rat.Sign Rat.String Rat.Sub Rat.UnmarshalText RoundingMode
		RoundingMode.String ToNearestAway ToNearestEven ToNegativeInf ToPositiveInf
		ToZero Word
	`,
	"math/bits": `
		Add Add32 Add64 Div Div32 Div64 LeadingZeros LeadingZeros16 LeadingZeros32
		LeadingZeros64 LeadingZeros8 Len Len16 Len32 Len64 Len8 Mul Mul32 Mul64
		OnesCount OnesCount16 OnesCount32 OnesCount64 OnesCount8 Rem Rem32 Rem64 Reverse
		Reverse16 Reverse32 Reverse64 Reverse8 ReverseBytes ReverseBytes16
		ReverseBytes32 ReverseBytes64 RotateLeft RotateLeft16 RotateLeft32 RotateLeft64
		RotateLeft8 Sub Sub32 Sub64 TrailingZeros TrailingZeros16 TrailingZeros32
		TrailingZeros64 TrailingZeros8 UintSize
	`,
	"math/cmplx": `
		Abs Acos Acosh Asin Asinh Atan Atanh Conj Cos Cosh Cot Exp Inf IsInf IsNaN Log
		Log10 NaN Phase Polar Pow Rect Sin Sinh Sqrt Tan Tanh
	`,
	"math/rand": `
		ExpFloat64 Float32 Float64 Int Int31 Int31n Int63 Int63n Intn New NewSource
		NewZipf NormFloat64 Perm Rand Rand.ExpFloat64 Rand.Float32 Rand.Float64 Rand.Int
		Rand.Int31 Rand.Int31n Rand.Int63 Rand.Int63n Rand.Intn Rand.NormFloat64
		Rand.Perm Rand.Read Rand.Seed Rand.Shuffle Rand.Uint32 Rand.Uint64 Read Seed
		Shuffle Source Source64 Uint32 Uint64 Zipf Zipf.Uint64
	`,
	"math/rand/v2": `
		ChaCha8 ChaCha8.AppendBinary ChaCha8.MarshalBinary ChaCha8.Read ChaCha8.Seed
		ChaCha8.Uint64 ChaCha8.UnmarshalBinary ExpFloat64 Float32 Float64 Int Int32
		Int32N Int64 Int64N IntN N New NewChaCha8 NewPCG NewZipf NormFloat64 PCG
		PCG.AppendBinary PCG.MarshalBinary PCG.Seed PCG.Uint64 PCG.UnmarshalBinary Perm
		Rand Rand.ExpFloat64 Rand.Float32 Rand.Float64 Rand.Int Rand.Int32 Rand.Int32N
		Rand.Int64 Rand.Int64N Rand.IntN Rand.NormFloat64 Rand.Perm Rand.Shuffle
		Rand.Uint Rand.Uint32 Rand.Uint32N Rand.Uint64 Rand.Uint64N Rand.UintN Shuffle
		Source Uint Uint32 Uint32N Uint64 Uint64N UintN Zipf Zipf.Uint64
	`,
	"mime": `
		BEncoding ErrInvalidMediaParameter ErrInvalidMediaParameter.Error
		ExtensionsByType FormatMediaType ParseMediaType QEncoding TypeByExtension
		WordDecoder WordDecoder.Decode WordDecoder.DecodeHeader WordEncoder
		WordEncoder.Encode
	`,
	"mime/multipart": `
		ErrMessageTooLarge ErrMessageTooLarge.Error File FileContentDisposition
		FileHeader FileHeader.Open Form Form.RemoveAll NewReader NewWriter Part
		Part.Close Part.FileName Part.FormName Part.Read Reader Reader.NextPart
		Reader.NextRawPart Writer Writer.Boundary Writer.Close Writer.CreateFormField
		Writer.CreateFormFile Writer.CreatePart Writer.FormDataContentType
		Writer.SetBoundary Writer.WriteField
	`,
	"mime/quotedprintable": `
		NewReader NewWriter Reader Reader.Read Writer Writer.Close Writer.Write
	`,
	"net/http": `
		CanonicalHeaderKey Cookie Cookie.String Cookie.Valid DetectContentType
		ErrNoCookie ErrNoCookie.Error Header Header.Add Header.Clone Header.Del
		Header.Get Header.Set Header.Values Header.Write Header.WriteSubset
		MethodConnect MethodDelete MethodGet MethodHead MethodOptions MethodPatch
		MethodPost MethodPut MethodTrace ParseCookie ParseSetCookie ParseTime SameSite
		SameSiteDefaultMode SameSiteLaxMode SameSiteNoneMode SameSiteStrictMode
		StatusAccepted StatusAlreadyReported StatusBadGateway StatusBadRequest
		StatusConflict StatusContinue StatusCreated StatusEarlyHints
		StatusExpectationFailed StatusFailedDependency StatusForbidden StatusFound
		StatusGatewayTimeout StatusGone StatusHTTPVersionNotSupported StatusIMUsed
		StatusInsufficientStorage StatusInternalServerError StatusLengthRequired
		StatusLocked StatusLoopDetected StatusMethodNotAllowed StatusMisdirectedRequest
		StatusMovedPermanently StatusMultiStatus StatusMultipleChoices
		StatusNetworkAuthenticationRequired StatusNoContent StatusNonAuthoritativeInfo
		StatusNotAcceptable StatusNotExtended StatusNotFound StatusNotImplemented
		StatusNotModified StatusOK StatusPartialContent StatusPaymentRequired
		StatusPermanentRedirect StatusPreconditionFailed StatusPreconditionRequired
		StatusProcessing StatusProxyAuthRequired StatusRequestEntityTooLarge
		StatusRequestHeaderFieldsTooLarge StatusRequestTimeout StatusRequestURITooLong
		StatusRequestedRangeNotSatisfiable StatusResetContent StatusSeeOther
		StatusServiceUnavailable StatusSwitchingProtocols StatusTeapot
		StatusTemporaryRedirect StatusText StatusTooEarly StatusTooManyRequests
		StatusUnauthorized StatusUnavailableForLegalReasons StatusUnprocessableEntity
		StatusUnsupportedMediaType StatusUpgradeRequired StatusUseProxy
		StatusVariantAlsoNegotiates TimeFormat
	`,
	"net/mail": `
		Address Address.String AddressParser AddressParser.Parse AddressParser.ParseList
		ErrHeaderNotPresent ErrHeaderNotPresent.Error Header Header.AddressList
		Header.Date Header.Get Message ParseAddress ParseAddressList ParseDate
		ReadMessage
	`,
	"net/netip": `
		Addr Addr.AppendBinary Addr.AppendText Addr.AppendTo Addr.As16 Addr.As4
		Addr.AsSlice Addr.BitLen Addr.Compare Addr.Is4 Addr.Is4In6 Addr.Is6
		Addr.IsGlobalUnicast Addr.IsInterfaceLocalMulticast Addr.IsLinkLocalMulticast
		Addr.IsLinkLocalUnicast Addr.IsLoopback Addr.IsMulticast Addr.IsPrivate
		Addr.IsUnspecified Addr.IsValid Addr.Less Addr.MarshalBinary Addr.MarshalText
		Addr.Next Addr.Prefix Addr.Prev Addr.String Addr.StringExpanded Addr.Unmap
		Addr.UnmarshalBinary Addr.UnmarshalText Addr.WithZone Addr.Zone AddrFrom16
		AddrFrom4 AddrFromSlice AddrPort AddrPort.Addr AddrPort.AppendBinary
		AddrPort.AppendText AddrPort.AppendTo AddrPort.Compare AddrPort.IsValid
		AddrPort.MarshalBinary AddrPort.MarshalText AddrPort.Port AddrPort.String
		AddrPort.UnmarshalBinary AddrPort.UnmarshalText AddrPortFrom IPv4Unspecified
		IPv6LinkLocalAllNodes IPv6LinkLocalAllRouters IPv6Loopback IPv6Unspecified
		MustParseAddr MustParseAddrPort MustParsePrefix ParseAddr ParseAddrPort
		ParsePrefix Prefix Prefix.Addr Prefix.AppendBinary Prefix.AppendText
		Prefix.AppendTo Prefix.Bits Prefix.Compare Prefix.Contains Prefix.IsSingleIP
		Prefix.IsValid Prefix.MarshalBinary Prefix.MarshalText Prefix.Masked
		Prefix.Overlaps Prefix.String Prefix.UnmarshalBinary Prefix.UnmarshalText
		PrefixFrom
	`,
	"net/textproto": `
		CanonicalMIMEHeaderKey Conn Conn.Close Conn.Cmd Conn.DotReader Conn.DotWriter
		Conn.EndRequest Conn.EndResponse Conn.Next Conn.PrintfLine Conn.ReadCodeLine
		Conn.ReadContinuedLine Conn.ReadContinuedLineBytes Conn.ReadDotBytes
		Conn.ReadDotLines Conn.ReadLine Conn.ReadLineBytes Conn.ReadMIMEHeader
		Conn.ReadResponse Conn.StartRequest Conn.StartResponse Error Error.Error
		MIMEHeader MIMEHeader.Add MIMEHeader.Del MIMEHeader.Get MIMEHeader.Set
		MIMEHeader.Values NewConn NewReader NewWriter Pipeline Pipeline.EndRequest
		Pipeline.EndResponse Pipeline.Next Pipeline.StartRequest Pipeline.StartResponse
		ProtocolError ProtocolError.Error Reader Reader.DotReader Reader.ReadCodeLine
		Reader.ReadContinuedLine Reader.ReadContinuedLineBytes Reader.ReadDotBytes
		Reader.ReadDotLines Reader.ReadLine Reader.ReadLineBytes Reader.ReadMIMEHeader
		Reader.ReadResponse TrimBytes TrimString Writer Writer.DotWriter
		Writer.PrintfLine
	`,
	"net/url": `
		Error Error.Error Error.Temporary Error.Timeout Error.Unwrap EscapeError
		EscapeError.Error InvalidHostError InvalidHostError.Error JoinPath Parse
		ParseQuery ParseRequestURI PathEscape PathUnescape QueryEscape QueryUnescape URL
		URL.AppendBinary URL.EscapedFragment URL.EscapedPath URL.Hostname URL.IsAbs
		URL.JoinPath URL.MarshalBinary URL.Parse URL.Port URL.Query URL.Redacted
		URL.RequestURI URL.ResolveReference URL.String URL.UnmarshalBinary User
		UserPassword Userinfo Userinfo.Password Userinfo.String Userinfo.Username Values
		Values.Add Values.Del Values.Encode Values.Get Values.Has Values.Set
	`,
	"path": `
		Base Clean Dir ErrBadPattern ErrBadPattern.Error Ext IsAbs Join Match Split
	`,
	"reflect": `
		Append AppendSlice Array ArrayOf Bool BothDir Chan ChanDir ChanDir.String ChanOf
		Complex128 Complex64 Copy DeepEqual Float32 Float64 Func FuncOf Indirect Int
		Int16 Int32 Int64 Int8 Interface Invalid Kind Kind.String MakeChan MakeFunc
		MakeMap MakeMapWithSize MakeSlice Map MapIter MapIter.Key MapIter.Next
		MapIter.Reset MapIter.Value MapOf Method Method.IsExported New Pointer PointerTo
		Ptr PtrTo RecvDir Select SelectCase SelectDefault SelectDir SelectRecv
		SelectSend SendDir Slice SliceHeader SliceOf String StringHeader Struct
		StructField StructField.IsExported StructOf StructTag StructTag.Get
		StructTag.Lookup Swapper Type TypeAssert TypeFor TypeOf Uint Uint16 Uint32
		Uint64 Uint8 Uintptr UnsafePointer Value Value.Addr Value.Bool Value.Bytes
		Value.Call Value.CallSlice Value.CanAddr Value.CanComplex Value.CanConvert
		Value.CanFloat Value.CanInt Value.CanInterface Value.CanSet Value.CanUint
		Value.Cap Value.Clear Value.Close Value.Comparable Value.Complex Value.Convert
		Value.Elem Value.Equal Value.Field Value.FieldByIndex Value.FieldByIndexErr
		Value.FieldByName Value.FieldByNameFunc Value.Fields Value.Float Value.Grow
		Value.Index Value.Int Value.Interface Value.InterfaceData Value.IsNil
		Value.IsValid Value.IsZero Value.Kind Value.Len Value.MapIndex Value.MapKeys
		Value.MapRange Value.Method Value.MethodByName Value.Methods Value.NumField
		Value.NumMethod Value.OverflowComplex Value.OverflowFloat Value.OverflowInt
		Value.OverflowUint Value.Pointer Value.Recv Value.Send Value.Seq Value.Seq2
		Value.Set Value.SetBool Value.SetBytes Value.SetCap Value.SetComplex
		Value.SetFloat Value.SetInt Value.SetIterKey Value.SetIterValue Value.SetLen
		Value.SetMapIndex Value.SetString Value.SetUint Value.SetZero Value.Slice
		Value.Slice3 Value.String Value.TryRecv Value.TrySend Value.Type Value.Uint
		Value.UnsafeAddr ValueError ValueError.Error ValueOf VisibleFields Zero
	`,
	"regexp": `
		Compile CompilePOSIX Match MatchReader MatchString MustCompile MustCompilePOSIX
		QuoteMeta Regexp Regexp.AppendText Regexp.Copy Regexp.Expand Regexp.ExpandString
		Regexp.Find Regexp.FindAll Regexp.FindAllIndex Regexp.FindAllString
		Regexp.FindAllStringIndex Regexp.FindAllStringSubmatch
		Regexp.FindAllStringSubmatchIndex Regexp.FindAllSubmatch
		Regexp.FindAllSubmatchIndex Regexp.FindIndex Regexp.FindReaderIndex
		Regexp.FindReaderSubmatchIndex Regexp.FindString Regexp.FindStringIndex
		Regexp.FindStringSubmatch Regexp.FindStringSubmatchIndex Regexp.FindSubmatch
		Regexp.FindSubmatchIndex Regexp.LiteralPrefix Regexp.Longest Regexp.MarshalText
		Regexp.Match Regexp.MatchReader Regexp.MatchString Regexp.NumSubexp
		Regexp.ReplaceAll Regexp.ReplaceAllFunc Regexp.ReplaceAllLiteral
		Regexp.ReplaceAllLiteralString Regexp.ReplaceAllString
		Regexp.ReplaceAllStringFunc Regexp.Split Regexp.String Regexp.SubexpIndex
		Regexp.SubexpNames Regexp.UnmarshalText
	`,
	"regexp/syntax": `
		ClassNL Compile DotNL EmptyBeginLine EmptyBeginText EmptyEndLine EmptyEndText
		EmptyNoWordBoundary EmptyOp EmptyOpContext EmptyWordBoundary ErrInternalError
		ErrInvalidCharClass ErrInvalidCharRange ErrInvalidEscape ErrInvalidNamedCapture
		ErrInvalidPerlOp ErrInvalidRepeatOp ErrInvalidRepeatSize ErrInvalidUTF8 ErrLarge
		ErrMissingBracket ErrMissingParen ErrMissingRepeatArgument ErrNestingDepth
		ErrTrailingBackslash ErrUnexpectedParen Error Error.Error ErrorCode
		ErrorCode.String Flags FoldCase Inst Inst.MatchEmptyWidth Inst.MatchRune
		Inst.MatchRunePos Inst.String InstAlt InstAltMatch InstCapture InstEmptyWidth
		InstFail InstMatch InstNop InstOp InstOp.String InstRune InstRune1 InstRuneAny
		InstRuneAnyNotNL IsWordChar Literal MatchNL NonGreedy OneLine Op Op.String
		OpAlternate OpAnyChar OpAnyCharNotNL OpBeginLine OpBeginText OpCapture
		OpCharClass OpConcat OpEmptyMatch OpEndLine OpEndText OpLiteral OpNoMatch
		OpNoWordBoundary OpPlus OpQuest OpRepeat OpStar OpWordBoundary POSIX Parse Perl
		PerlX Prog Prog.Prefix Prog.StartCond Prog.String Regexp Regexp.CapNames
		Regexp.Equal Regexp.MaxCap Regexp.Simplify Regexp.String Simple UnicodeGroups
		WasDollar
	`,
	"sort": `
		Find Float64Slice Float64Slice.Len Float64Slice.Less Float64Slice.Search
		Float64Slice.Sort Float64Slice.Swap Float64s Float64sAreSorted IntSlice
		IntSlice.Len IntSlice.Less IntSlice.Search IntSlice.Sort IntSlice.Swap Interface
		Ints IntsAreSorted IsSorted Reverse Search SearchFloat64s SearchInts
		SearchStrings Slice SliceIsSorted SliceStable Sort Stable StringSlice
		StringSlice.Len StringSlice.Less StringSlice.Search StringSlice.Sort
		StringSlice.Swap Strings StringsAreSorted
	`,
	"strconv": `
		AppendBool AppendFloat AppendInt AppendQuote AppendQuoteRune
		AppendQuoteRuneToASCII AppendQuoteRuneToGraphic AppendQuoteToASCII
		AppendQuoteToGraphic AppendUint Atoi CanBackquote ErrRange ErrRange.Error
		ErrSyntax ErrSyntax.Error FormatBool FormatComplex FormatFloat FormatInt
		FormatUint IntSize IsGraphic IsPrint Itoa NumError NumError.Error
		NumError.Unwrap ParseBool ParseComplex ParseFloat ParseInt ParseUint Quote
		QuoteRune QuoteRuneToASCII QuoteRuneToGraphic QuoteToASCII QuoteToGraphic
		QuotedPrefix Unquote UnquoteChar
	`,
	"strings": `
		Builder Builder.Cap Builder.Grow Builder.Len Builder.Reset Builder.String
		Builder.Write Builder.WriteByte Builder.WriteRune Builder.WriteString Clone
		Compare Contains ContainsAny ContainsFunc ContainsRune Count Cut CutPrefix
		CutSuffix EqualFold Fields FieldsFunc FieldsFuncSeq FieldsSeq HasPrefix
		HasSuffix Index IndexAny IndexByte IndexFunc IndexRune Join LastIndex
		LastIndexAny LastIndexByte LastIndexFunc Lines Map NewReader NewReplacer Reader
		Reader.Len Reader.Read Reader.ReadAt Reader.ReadByte Reader.ReadRune
		Reader.Reset Reader.Seek Reader.Size Reader.UnreadByte Reader.UnreadRune
		Reader.WriteTo Repeat Replace ReplaceAll Replacer Replacer.Replace
		Replacer.WriteString Split SplitAfter SplitAfterN SplitAfterSeq SplitN SplitSeq
		Title ToLower ToLowerSpecial ToTitle ToTitleSpecial ToUpper ToUpperSpecial
		ToValidUTF8 Trim TrimFunc TrimLeft TrimLeftFunc TrimPrefix TrimRight
		TrimRightFunc TrimSpace TrimSuffix
	`,
	"structs": `
		HostLayout
	`,
	"sync": `
		Cond Cond.Broadcast Cond.Signal Cond.Wait Locker Map Map.Clear
		Map.CompareAndDelete Map.CompareAndSwap Map.Delete Map.Load Map.LoadAndDelete
		Map.LoadOrStore Map.Range Map.Store Map.Swap Mutex Mutex.Lock Mutex.TryLock
		Mutex.Unlock NewCond Once Once.Do OnceFunc OnceValue OnceValues Pool Pool.Get
		Pool.Put RWMutex RWMutex.Lock RWMutex.RLock RWMutex.RLocker RWMutex.RUnlock
		RWMutex.TryLock RWMutex.TryRLock RWMutex.Unlock WaitGroup WaitGroup.Add
		WaitGroup.Done WaitGroup.Go WaitGroup.Wait
	`,
	"sync/atomic": `
		AddInt32 AddInt64 AddUint32 AddUint64 AddUintptr AndInt32 AndInt64 AndUint32
		AndUint64 AndUintptr Bool Bool.CompareAndSwap Bool.Load Bool.Store Bool.Swap
		CompareAndSwapInt32 CompareAndSwapInt64 CompareAndSwapUint32
		CompareAndSwapUint64 CompareAndSwapUintptr Int32 Int32.Add Int32.And
		Int32.CompareAndSwap Int32.Load Int32.Or Int32.Store Int32.Swap Int64 Int64.Add
		Int64.And Int64.CompareAndSwap Int64.Load Int64.Or Int64.Store Int64.Swap
		LoadInt32 LoadInt64 LoadUint32 LoadUint64 LoadUintptr OrInt32 OrInt64 OrUint32
		OrUint64 OrUintptr Pointer Pointer.CompareAndSwap Pointer.Load Pointer.Store
		Pointer.Swap StoreInt32 StoreInt64 StoreUint32 StoreUint64 StoreUintptr
		SwapInt32 SwapInt64 SwapUint32 SwapUint64 SwapUintptr Uint32 Uint32.Add
		Uint32.And Uint32.CompareAndSwap Uint32.Load Uint32.Or Uint32.Store Uint32.Swap
		Uint64 Uint64.Add Uint64.And Uint64.CompareAndSwap Uint64.Load Uint64.Or
		Uint64.Store Uint64.Swap Uintptr Uintptr.Add Uintptr.And Uintptr.CompareAndSwap
		Uintptr.Load Uintptr.Or Uintptr.Store Uintptr.Swap Value Value.CompareAndSwap
		Value.Load Value.Store Value.Swap
	`,
	"text/scanner": `
		Char Comment EOF Float GoTokens GoWhitespace Ident Int Position Position.IsValid
		Position.String RawString ScanChars ScanComments ScanFloats ScanIdents ScanInts
		ScanRawStrings ScanStrings Scanner Scanner.Init Scanner.IsValid Scanner.Next
		Scanner.Peek Scanner.Pos Scanner.Scan Scanner.String Scanner.TokenText
		SkipComments String TokenString
	`,
	"text/tabwriter": `
		AlignRight Debug DiscardEmptyColumns Escape FilterHTML NewWriter StripEscape
		TabIndent Writer Writer.Flush Writer.Init Writer.Write
	`,
	"text/template": `
		ExecError ExecError.Error ExecError.Unwrap FuncMap HTMLEscape HTMLEscapeString
		HTMLEscaper IsTrue JSEscape JSEscapeString JSEscaper Must New ParseFS Template
		Template.AddParseTree Template.Clone Template.Copy Template.DefinedTemplates
		Template.Delims Template.ErrorContext Template.Execute Template.ExecuteTemplate
		Template.Funcs Template.Lookup Template.Name Template.New Template.Option
		Template.Parse Template.ParseFS Template.Templates URLQueryEscaper
	`,
	"text/template/parse": `
		ActionNode ActionNode.Copy ActionNode.Position ActionNode.String ActionNode.Type
		BoolNode BoolNode.Copy BoolNode.Position BoolNode.String BoolNode.Type
		BranchNode BranchNode.Copy BranchNode.Position BranchNode.String BranchNode.Type
		BreakNode BreakNode.Copy BreakNode.Position BreakNode.String BreakNode.Type
		ChainNode ChainNode.Add ChainNode.Copy ChainNode.Position ChainNode.String
		ChainNode.Type CommandNode CommandNode.Copy CommandNode.Position
		CommandNode.String CommandNode.Type CommentNode CommentNode.Copy
		CommentNode.Position CommentNode.String CommentNode.Type ContinueNode
		ContinueNode.Copy ContinueNode.Position ContinueNode.String ContinueNode.Type
		DotNode DotNode.Copy DotNode.Position DotNode.String DotNode.Type FieldNode
		FieldNode.Copy FieldNode.Position FieldNode.String FieldNode.Type IdentifierNode
		IdentifierNode.Copy IdentifierNode.Position IdentifierNode.SetPos
		IdentifierNode.SetTree IdentifierNode.String IdentifierNode.Type IfNode
		IfNode.Copy IfNode.Position IfNode.String IfNode.Type IsEmptyTree ListNode
		ListNode.Copy ListNode.CopyList ListNode.Position ListNode.String ListNode.Type
		Mode New NewIdentifier NilNode NilNode.Copy NilNode.Position NilNode.String
		NilNode.Type Node NodeAction NodeBool NodeBreak NodeChain NodeCommand
		NodeComment NodeContinue NodeDot NodeField NodeIdentifier NodeIf NodeList
		NodeNil NodeNumber NodePipe NodeRange NodeString NodeTemplate NodeText NodeType
		NodeType.Type NodeVariable NodeWith NumberNode NumberNode.Copy
		NumberNode.Position NumberNode.String NumberNode.Type Parse ParseComments
		PipeNode PipeNode.Copy PipeNode.CopyPipe PipeNode.Position PipeNode.String
		PipeNode.Type Pos Pos.Position RangeNode RangeNode.Copy RangeNode.Position
		RangeNode.String RangeNode.Type SkipFuncCheck StringNode StringNode.Copy
		StringNode.Position StringNode.String StringNode.Type TemplateNode
		TemplateNode.Copy TemplateNode.Position TemplateNode.String TemplateNode.Type
		TextNode TextNode.Copy TextNode.Position TextNode.String TextNode.Type Tree
		Tree.Copy Tree.ErrorContext Tree.Parse VariableNode VariableNode.Copy
		VariableNode.Position VariableNode.String VariableNode.Type WithNode
		WithNode.Copy WithNode.Position WithNode.String WithNode.Type
	`,
	"time": `
		ANSIC After AfterFunc April August Date DateOnly DateTime December Duration
		Duration.Abs Duration.Hours Duration.Microseconds Duration.Milliseconds
		Duration.Minutes Duration.Nanoseconds Duration.Round Duration.Seconds
		Duration.String Duration.Truncate February FixedZone Friday Hour January July
		June Kitchen Layout LoadLocation LoadLocationFromTZData Local Location
		Location.String March May Microsecond Millisecond Minute Monday Month
		Month.String Nanosecond NewTicker NewTimer November Now October Parse
		ParseDuration ParseError ParseError.Error ParseInLocation RFC1123 RFC1123Z
		RFC3339 RFC3339Nano RFC822 RFC822Z RFC850 RubyDate Saturday Second September
		Since Sleep Stamp StampMicro StampMilli StampNano Sunday Thursday Tick Ticker
		Ticker.Reset Ticker.Stop Time Time.Add Time.AddDate Time.After Time.AppendBinary
		Time.AppendFormat Time.AppendText Time.Before Time.Clock Time.Compare Time.Date
		Time.Day Time.Equal Time.Format Time.GoString Time.GobDecode Time.GobEncode
		Time.Hour Time.ISOWeek Time.In Time.IsDST Time.IsZero Time.Local Time.Location
		Time.MarshalBinary Time.MarshalJSON Time.MarshalText Time.Minute Time.Month
		Time.Nanosecond Time.Round Time.Second Time.String Time.Sub Time.Truncate
		Time.UTC Time.Unix Time.UnixMicro Time.UnixMilli Time.UnixNano
		Time.UnmarshalBinary Time.UnmarshalJSON Time.UnmarshalText Time.Weekday
		Time.Year Time.YearDay Time.Zone Time.ZoneBounds TimeOnly Timer Timer.Reset
		Timer.Stop Tuesday UTC Unix UnixDate UnixMicro UnixMilli Until Wednesday Weekday
		Weekday.String
	`,
	"unicode": `
		ASCII_Hex_Digit Adlam Ahom Anatolian_Hieroglyphs Arabic Armenian Avestan
		AzeriCase Balinese Bamum Bassa_Vah Batak Bengali Bhaiksuki Bidi_Control Bopomofo
		Brahmi Braille Buginese Buhid C Canadian_Aboriginal Carian CaseRange CaseRanges
		Categories CategoryAliases Caucasian_Albanian Cc Cf Chakma Cham Cherokee
		Chorasmian Cn Co Common Coptic Cs Cuneiform Cypriot Cypro_Minoan Cyrillic Dash
		Deprecated Deseret Devanagari Diacritic Digit Dives_Akuru Dogra Duployan
		Egyptian_Hieroglyphs Elbasan Elymaic Ethiopic Extender FoldCategory FoldScript
		Georgian Glagolitic Gothic Grantha GraphicRanges Greek Gujarati Gunjala_Gondi
		Gurmukhi Han Hangul Hanifi_Rohingya Hanunoo Hatran Hebrew Hex_Digit Hiragana
		Hyphen IDS_Binary_Operator IDS_Trinary_Operator Ideographic Imperial_Aramaic In
		Inherited Inscriptional_Pahlavi Inscriptional_Parthian Is IsControl IsDigit
		IsGraphic IsLetter IsLower IsMark IsNumber IsOneOf IsPrint IsPunct IsSpace
		IsSymbol IsTitle IsUpper Javanese Join_Control Kaithi Kannada Katakana Kawi
		Kayah_Li Kharoshthi Khitan_Small_Script Khmer Khojki Khudawadi L LC Lao Latin
		Lepcha Letter Limbu Linear_A Linear_B Lisu Ll Lm Lo Logical_Order_Exception
		Lower LowerCase Lt Lu Lycian Lydian M Mahajani Makasar Malayalam Mandaic
		Manichaean Marchen Mark Masaram_Gondi MaxASCII MaxCase MaxLatin1 MaxRune Mc Me
		Medefaidrin Meetei_Mayek Mende_Kikakui Meroitic_Cursive Meroitic_Hieroglyphs
		Miao Mn Modi Mongolian Mro Multani Myanmar N Nabataean Nag_Mundari Nandinagari
		Nd New_Tai_Lue Newa Nko Nl No Noncharacter_Code_Point Number Nushu
		Nyiakeng_Puachue_Hmong Ogham Ol_Chiki Old_Hungarian Old_Italic Old_North_Arabian
		Old_Permic Old_Persian Old_Sogdian Old_South_Arabian Old_Turkic Old_Uyghur Oriya
		Osage Osmanya Other Other_Alphabetic Other_Default_Ignorable_Code_Point
		Other_Grapheme_Extend Other_ID_Continue Other_ID_Start Other_Lowercase
		Other_Math Other_Uppercase P Pahawh_Hmong Palmyrene Pattern_Syntax
		Pattern_White_Space Pau_Cin_Hau Pc Pd Pe Pf Phags_Pa Phoenician Pi Po
		Prepended_Concatenation_Mark PrintRanges Properties Ps Psalter_Pahlavi Punct
		Quotation_Mark Radical Range16 Range32 RangeTable Regional_Indicator Rejang
		ReplacementChar Runic S STerm Samaritan Saurashtra Sc Scripts Sentence_Terminal
		Sharada Shavian Siddham SignWriting SimpleFold Sinhala Sk Sm So Soft_Dotted
		Sogdian Sora_Sompeng Soyombo Space SpecialCase SpecialCase.ToLower
		SpecialCase.ToTitle SpecialCase.ToUpper Sundanese Syloti_Nagri Symbol Syriac
		Tagalog Tagbanwa Tai_Le Tai_Tham Tai_Viet Takri Tamil Tangsa Tangut Telugu
		Terminal_Punctuation Thaana Thai Tibetan Tifinagh Tirhuta Title TitleCase To
		ToLower ToTitle ToUpper Toto TurkishCase Ugaritic Unified_Ideograph Upper
		UpperCase UpperLower Vai Variation_Selector Version Vithkuqi Wancho Warang_Citi
		White_Space Yezidi Yi Z Zanabazar_Square Zl Zp Zs
	`,
	"unicode/utf16": `
		AppendRune Decode DecodeRune Encode EncodeRune IsSurrogate RuneLen
	`,
	"unicode/utf8": `
		AppendRune DecodeLastRune DecodeLastRuneInString DecodeRune DecodeRuneInString
		EncodeRune FullRune FullRuneInString MaxRune RuneCount RuneCountInString
		RuneError RuneLen RuneSelf RuneStart UTFMax Valid ValidRune ValidString
	`,
}
