package creditline.store;

import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * A statement kept by {@link StatementCache}: {@code close()} only forgets its parameters and
 * batch, so callers keep writing plain try-with-resources JDBC; every other call goes straight
 * to the driver's statement. (A plain delegating class, not a reflective proxy: the hot paths
 * bind dozens of parameters a row, and a proxy boxed and reflected each of them.)
 */
final class ReusableStatement implements PreparedStatement {
    private final PreparedStatement ps;

    ReusableStatement(PreparedStatement ps) {
        this.ps = ps;
    }

    @Override
    public void close() throws SQLException {
        ps.clearParameters();
        ps.clearBatch();
    }

    @Override
    public boolean isClosed() {
        return false;
    }

    /** Closes the driver's statement (the cache drops it). */
    void closeForGood() {
        try {
            ps.close();
        } catch (SQLException ignored) {
            // closing a statement of a closing connection
        }
    }

    boolean driverStatementClosed() throws SQLException {
        return ps.isClosed();
    }

    // ---- everything else: delegated ----

    @Override public <T> T unwrap(java.lang.Class<T> a0) throws java.sql.SQLException { return ps.unwrap(a0); }
    @Override public boolean execute() throws java.sql.SQLException { return ps.execute(); }
    @Override public boolean execute(java.lang.String a0) throws java.sql.SQLException { return ps.execute(a0); }
    @Override public boolean execute(java.lang.String a0, int a1) throws java.sql.SQLException { return ps.execute(a0, a1); }
    @Override public boolean execute(java.lang.String a0, int[] a1) throws java.sql.SQLException { return ps.execute(a0, a1); }
    @Override public boolean execute(java.lang.String a0, java.lang.String[] a1) throws java.sql.SQLException { return ps.execute(a0, a1); }
    @Override public boolean getMoreResults() throws java.sql.SQLException { return ps.getMoreResults(); }
    @Override public boolean getMoreResults(int a0) throws java.sql.SQLException { return ps.getMoreResults(a0); }
    @Override public boolean isCloseOnCompletion() throws java.sql.SQLException { return ps.isCloseOnCompletion(); }
    @Override public boolean isPoolable() throws java.sql.SQLException { return ps.isPoolable(); }
    @Override public boolean isSimpleIdentifier(java.lang.String a0) throws java.sql.SQLException { return ps.isSimpleIdentifier(a0); }
    @Override public boolean isWrapperFor(java.lang.Class<?> a0) throws java.sql.SQLException { return ps.isWrapperFor(a0); }
    @Override public int executeUpdate() throws java.sql.SQLException { return ps.executeUpdate(); }
    @Override public int executeUpdate(java.lang.String a0) throws java.sql.SQLException { return ps.executeUpdate(a0); }
    @Override public int executeUpdate(java.lang.String a0, int a1) throws java.sql.SQLException { return ps.executeUpdate(a0, a1); }
    @Override public int executeUpdate(java.lang.String a0, int[] a1) throws java.sql.SQLException { return ps.executeUpdate(a0, a1); }
    @Override public int executeUpdate(java.lang.String a0, java.lang.String[] a1) throws java.sql.SQLException { return ps.executeUpdate(a0, a1); }
    @Override public int getFetchDirection() throws java.sql.SQLException { return ps.getFetchDirection(); }
    @Override public int getFetchSize() throws java.sql.SQLException { return ps.getFetchSize(); }
    @Override public int getMaxFieldSize() throws java.sql.SQLException { return ps.getMaxFieldSize(); }
    @Override public int getMaxRows() throws java.sql.SQLException { return ps.getMaxRows(); }
    @Override public int getQueryTimeout() throws java.sql.SQLException { return ps.getQueryTimeout(); }
    @Override public int getResultSetConcurrency() throws java.sql.SQLException { return ps.getResultSetConcurrency(); }
    @Override public int getResultSetHoldability() throws java.sql.SQLException { return ps.getResultSetHoldability(); }
    @Override public int getResultSetType() throws java.sql.SQLException { return ps.getResultSetType(); }
    @Override public int getUpdateCount() throws java.sql.SQLException { return ps.getUpdateCount(); }
    @Override public int[] executeBatch() throws java.sql.SQLException { return ps.executeBatch(); }
    @Override public java.lang.String enquoteIdentifier(java.lang.String a0, boolean a1) throws java.sql.SQLException { return ps.enquoteIdentifier(a0, a1); }
    @Override public java.lang.String enquoteLiteral(java.lang.String a0) throws java.sql.SQLException { return ps.enquoteLiteral(a0); }
    @Override public java.lang.String enquoteNCharLiteral(java.lang.String a0) throws java.sql.SQLException { return ps.enquoteNCharLiteral(a0); }
    @Override public java.sql.Connection getConnection() throws java.sql.SQLException { return ps.getConnection(); }
    @Override public java.sql.ParameterMetaData getParameterMetaData() throws java.sql.SQLException { return ps.getParameterMetaData(); }
    @Override public java.sql.ResultSet executeQuery() throws java.sql.SQLException { return ps.executeQuery(); }
    @Override public java.sql.ResultSet executeQuery(java.lang.String a0) throws java.sql.SQLException { return ps.executeQuery(a0); }
    @Override public java.sql.ResultSet getGeneratedKeys() throws java.sql.SQLException { return ps.getGeneratedKeys(); }
    @Override public java.sql.ResultSet getResultSet() throws java.sql.SQLException { return ps.getResultSet(); }
    @Override public java.sql.ResultSetMetaData getMetaData() throws java.sql.SQLException { return ps.getMetaData(); }
    @Override public java.sql.SQLWarning getWarnings() throws java.sql.SQLException { return ps.getWarnings(); }
    @Override public long executeLargeUpdate() throws java.sql.SQLException { return ps.executeLargeUpdate(); }
    @Override public long executeLargeUpdate(java.lang.String a0) throws java.sql.SQLException { return ps.executeLargeUpdate(a0); }
    @Override public long executeLargeUpdate(java.lang.String a0, int a1) throws java.sql.SQLException { return ps.executeLargeUpdate(a0, a1); }
    @Override public long executeLargeUpdate(java.lang.String a0, int[] a1) throws java.sql.SQLException { return ps.executeLargeUpdate(a0, a1); }
    @Override public long executeLargeUpdate(java.lang.String a0, java.lang.String[] a1) throws java.sql.SQLException { return ps.executeLargeUpdate(a0, a1); }
    @Override public long getLargeMaxRows() throws java.sql.SQLException { return ps.getLargeMaxRows(); }
    @Override public long getLargeUpdateCount() throws java.sql.SQLException { return ps.getLargeUpdateCount(); }
    @Override public long[] executeLargeBatch() throws java.sql.SQLException { return ps.executeLargeBatch(); }
    @Override public void addBatch() throws java.sql.SQLException { ps.addBatch(); }
    @Override public void addBatch(java.lang.String a0) throws java.sql.SQLException { ps.addBatch(a0); }
    @Override public void cancel() throws java.sql.SQLException { ps.cancel(); }
    @Override public void clearBatch() throws java.sql.SQLException { ps.clearBatch(); }
    @Override public void clearParameters() throws java.sql.SQLException { ps.clearParameters(); }
    @Override public void clearWarnings() throws java.sql.SQLException { ps.clearWarnings(); }
    @Override public void closeOnCompletion() throws java.sql.SQLException { ps.closeOnCompletion(); }
    @Override public void setArray(int a0, java.sql.Array a1) throws java.sql.SQLException { ps.setArray(a0, a1); }
    @Override public void setAsciiStream(int a0, java.io.InputStream a1) throws java.sql.SQLException { ps.setAsciiStream(a0, a1); }
    @Override public void setAsciiStream(int a0, java.io.InputStream a1, int a2) throws java.sql.SQLException { ps.setAsciiStream(a0, a1, a2); }
    @Override public void setAsciiStream(int a0, java.io.InputStream a1, long a2) throws java.sql.SQLException { ps.setAsciiStream(a0, a1, a2); }
    @Override public void setBigDecimal(int a0, java.math.BigDecimal a1) throws java.sql.SQLException { ps.setBigDecimal(a0, a1); }
    @Override public void setBinaryStream(int a0, java.io.InputStream a1) throws java.sql.SQLException { ps.setBinaryStream(a0, a1); }
    @Override public void setBinaryStream(int a0, java.io.InputStream a1, int a2) throws java.sql.SQLException { ps.setBinaryStream(a0, a1, a2); }
    @Override public void setBinaryStream(int a0, java.io.InputStream a1, long a2) throws java.sql.SQLException { ps.setBinaryStream(a0, a1, a2); }
    @Override public void setBlob(int a0, java.io.InputStream a1) throws java.sql.SQLException { ps.setBlob(a0, a1); }
    @Override public void setBlob(int a0, java.io.InputStream a1, long a2) throws java.sql.SQLException { ps.setBlob(a0, a1, a2); }
    @Override public void setBlob(int a0, java.sql.Blob a1) throws java.sql.SQLException { ps.setBlob(a0, a1); }
    @Override public void setBoolean(int a0, boolean a1) throws java.sql.SQLException { ps.setBoolean(a0, a1); }
    @Override public void setByte(int a0, byte a1) throws java.sql.SQLException { ps.setByte(a0, a1); }
    @Override public void setBytes(int a0, byte[] a1) throws java.sql.SQLException { ps.setBytes(a0, a1); }
    @Override public void setCharacterStream(int a0, java.io.Reader a1) throws java.sql.SQLException { ps.setCharacterStream(a0, a1); }
    @Override public void setCharacterStream(int a0, java.io.Reader a1, int a2) throws java.sql.SQLException { ps.setCharacterStream(a0, a1, a2); }
    @Override public void setCharacterStream(int a0, java.io.Reader a1, long a2) throws java.sql.SQLException { ps.setCharacterStream(a0, a1, a2); }
    @Override public void setClob(int a0, java.io.Reader a1) throws java.sql.SQLException { ps.setClob(a0, a1); }
    @Override public void setClob(int a0, java.io.Reader a1, long a2) throws java.sql.SQLException { ps.setClob(a0, a1, a2); }
    @Override public void setClob(int a0, java.sql.Clob a1) throws java.sql.SQLException { ps.setClob(a0, a1); }
    @Override public void setCursorName(java.lang.String a0) throws java.sql.SQLException { ps.setCursorName(a0); }
    @Override public void setDate(int a0, java.sql.Date a1) throws java.sql.SQLException { ps.setDate(a0, a1); }
    @Override public void setDate(int a0, java.sql.Date a1, java.util.Calendar a2) throws java.sql.SQLException { ps.setDate(a0, a1, a2); }
    @Override public void setDouble(int a0, double a1) throws java.sql.SQLException { ps.setDouble(a0, a1); }
    @Override public void setEscapeProcessing(boolean a0) throws java.sql.SQLException { ps.setEscapeProcessing(a0); }
    @Override public void setFetchDirection(int a0) throws java.sql.SQLException { ps.setFetchDirection(a0); }
    @Override public void setFetchSize(int a0) throws java.sql.SQLException { ps.setFetchSize(a0); }
    @Override public void setFloat(int a0, float a1) throws java.sql.SQLException { ps.setFloat(a0, a1); }
    @Override public void setInt(int a0, int a1) throws java.sql.SQLException { ps.setInt(a0, a1); }
    @Override public void setLargeMaxRows(long a0) throws java.sql.SQLException { ps.setLargeMaxRows(a0); }
    @Override public void setLong(int a0, long a1) throws java.sql.SQLException { ps.setLong(a0, a1); }
    @Override public void setMaxFieldSize(int a0) throws java.sql.SQLException { ps.setMaxFieldSize(a0); }
    @Override public void setMaxRows(int a0) throws java.sql.SQLException { ps.setMaxRows(a0); }
    @Override public void setNCharacterStream(int a0, java.io.Reader a1) throws java.sql.SQLException { ps.setNCharacterStream(a0, a1); }
    @Override public void setNCharacterStream(int a0, java.io.Reader a1, long a2) throws java.sql.SQLException { ps.setNCharacterStream(a0, a1, a2); }
    @Override public void setNClob(int a0, java.io.Reader a1) throws java.sql.SQLException { ps.setNClob(a0, a1); }
    @Override public void setNClob(int a0, java.io.Reader a1, long a2) throws java.sql.SQLException { ps.setNClob(a0, a1, a2); }
    @Override public void setNClob(int a0, java.sql.NClob a1) throws java.sql.SQLException { ps.setNClob(a0, a1); }
    @Override public void setNString(int a0, java.lang.String a1) throws java.sql.SQLException { ps.setNString(a0, a1); }
    @Override public void setNull(int a0, int a1) throws java.sql.SQLException { ps.setNull(a0, a1); }
    @Override public void setNull(int a0, int a1, java.lang.String a2) throws java.sql.SQLException { ps.setNull(a0, a1, a2); }
    @Override public void setObject(int a0, java.lang.Object a1) throws java.sql.SQLException { ps.setObject(a0, a1); }
    @Override public void setObject(int a0, java.lang.Object a1, int a2) throws java.sql.SQLException { ps.setObject(a0, a1, a2); }
    @Override public void setObject(int a0, java.lang.Object a1, int a2, int a3) throws java.sql.SQLException { ps.setObject(a0, a1, a2, a3); }
    @Override public void setObject(int a0, java.lang.Object a1, java.sql.SQLType a2) throws java.sql.SQLException { ps.setObject(a0, a1, a2); }
    @Override public void setObject(int a0, java.lang.Object a1, java.sql.SQLType a2, int a3) throws java.sql.SQLException { ps.setObject(a0, a1, a2, a3); }
    @Override public void setPoolable(boolean a0) throws java.sql.SQLException { ps.setPoolable(a0); }
    @Override public void setQueryTimeout(int a0) throws java.sql.SQLException { ps.setQueryTimeout(a0); }
    @Override public void setRef(int a0, java.sql.Ref a1) throws java.sql.SQLException { ps.setRef(a0, a1); }
    @Override public void setRowId(int a0, java.sql.RowId a1) throws java.sql.SQLException { ps.setRowId(a0, a1); }
    @Override public void setSQLXML(int a0, java.sql.SQLXML a1) throws java.sql.SQLException { ps.setSQLXML(a0, a1); }
    @Override public void setShort(int a0, short a1) throws java.sql.SQLException { ps.setShort(a0, a1); }
    @Override public void setString(int a0, java.lang.String a1) throws java.sql.SQLException { ps.setString(a0, a1); }
    @Override public void setTime(int a0, java.sql.Time a1) throws java.sql.SQLException { ps.setTime(a0, a1); }
    @Override public void setTime(int a0, java.sql.Time a1, java.util.Calendar a2) throws java.sql.SQLException { ps.setTime(a0, a1, a2); }
    @Override public void setTimestamp(int a0, java.sql.Timestamp a1) throws java.sql.SQLException { ps.setTimestamp(a0, a1); }
    @Override public void setTimestamp(int a0, java.sql.Timestamp a1, java.util.Calendar a2) throws java.sql.SQLException { ps.setTimestamp(a0, a1, a2); }
    @Override public void setURL(int a0, java.net.URL a1) throws java.sql.SQLException { ps.setURL(a0, a1); }
    @Override public void setUnicodeStream(int a0, java.io.InputStream a1, int a2) throws java.sql.SQLException { ps.setUnicodeStream(a0, a1, a2); }
}
